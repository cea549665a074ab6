using System.Text;

namespace ParallelJobs.Operations.Crawl;

/// <summary>
/// The percent-encoded form robots.txt paths and URL paths are compared in (RFC 9309 2.2.2): %XX of an
/// unreserved character decoded, other %XX with upper-case hex, and non-ASCII characters (as UTF-8),
/// spaces, controls and characters a URI cannot hold encoded. Reserved characters stay as they are, so
/// "/a%2Fb" and "/a/b" stay different, as they are to the server.
/// </summary>
internal static class RobotsPath
{
    private const string Hex = "0123456789ABCDEF";

    public static string Normalize(string path)
    {
        StringBuilder? text = null;
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c == '%' && i + 2 < path.Length && IsHex(path[i + 1]) && IsHex(path[i + 2]))
            {
                text ??= new StringBuilder(path, 0, i, path.Length + 16);
                int value = (HexValue(path[i + 1]) << 4) | HexValue(path[i + 2]);
                if (IsUnreserved((char)value))
                {
                    text.Append((char)value);
                }
                else
                {
                    text.Append('%').Append(Hex[value >> 4]).Append(Hex[value & 15]);
                }

                i += 2;
            }
            else if (c >= 0x80 || c <= 0x20 || c == 0x7F || c == '%' || "\"<>\\^`{|}".IndexOf(c) >= 0)
            {
                text ??= new StringBuilder(path, 0, i, path.Length + 16);
                int length = char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1]) ? 2 : 1;
                foreach (byte b in Encoding.UTF8.GetBytes(path.Substring(i, length)))
                {
                    text.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 15]);
                }

                i += length - 1;
            }
            else
            {
                text?.Append(c);
            }
        }

        return text?.ToString() ?? path;
    }

    /// <summary>
    /// Whether <paramref name="pattern"/> (already normalized; * is any run of characters, and a final $ ends
    /// the match) matches the start of <paramref name="path"/>. Greedy with one backtrack point, so time is
    /// at most the product of the lengths, whatever the stars: no regex to blow up on a hostile robots.txt.
    /// </summary>
    public static bool Matches(string pattern, string path)
    {
        bool anchored = pattern.Length > 0 && pattern[pattern.Length - 1] == '$';
        int end = anchored ? pattern.Length - 1 : pattern.Length;
        int p = 0;
        int s = 0;
        int star = -1;
        int resume = 0;
        while (true)
        {
            if (p == end && (!anchored || s == path.Length))
            {
                return true;
            }

            if (p < end && pattern[p] == '*')
            {
                star = ++p;
                resume = s;
                continue;
            }

            if (p < end && s < path.Length && pattern[p] == path[s])
            {
                p++;
                s++;
                continue;
            }

            // No match here: let the last star take one more character, if there is one and room for it.
            if (star < 0 || resume >= path.Length)
            {
                return false;
            }

            p = star;
            s = ++resume;
        }
    }

    private static bool IsUnreserved(char c) =>
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';

    private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
