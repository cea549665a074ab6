using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace ParallelJobs.Engine;

/// <summary>
/// What a job log's header holds of the job: a salted, slow hash of the command's signature (its script
/// block, arguments, request body, settings), never the signature itself, which may carry a secret. The
/// same derivation gives the key of the items' input fingerprints, so they can be checked only by a run
/// that knows the whole job.
/// </summary>
internal sealed class JobLogIdentity
{
    // Slow enough that guessing a secret inside a signature costs something; about 10 ms once per run.
    private const int Iterations = 20_000;

    private JobLogIdentity(string salt, string hash, byte[] inputKey)
    {
        Salt = salt;
        Hash = hash;
        InputKey = inputKey;
    }

    /// <summary>The random salt, in hex, written to the header.</summary>
    public string Salt { get; }

    /// <summary>The signature's hash, in hex, written to the header as its 'signature'.</summary>
    public string Hash { get; }

    /// <summary>The HMAC key of <see cref="InputFingerprint"/>; never written.</summary>
    public byte[] InputKey { get; }

    /// <summary>A new log's identity, with a fresh salt.</summary>
    public static JobLogIdentity Create(string signature)
    {
        var salt = new byte[16];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(salt);
        }

        return Derive(signature, Hex(salt));
    }

    /// <summary>The identity a log with this salt has for this signature.</summary>
    public static JobLogIdentity Derive(string signature, string salt)
    {
        byte[] saltBytes = FromHex(salt) ?? Encoding.UTF8.GetBytes(salt);
        using var kdf = new Rfc2898DeriveBytes(Encoding.UTF8.GetBytes(signature), saltBytes, Iterations);
        byte[] hash = kdf.GetBytes(32);
        byte[] key = kdf.GetBytes(32);
        return new JobLogIdentity(salt, "pbkdf2:" + Hex(hash), key);
    }

    private static string Hex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static byte[]? FromHex(string text)
    {
        if (text.Length % 2 != 0)
        {
            return null;
        }

        var bytes = new byte[text.Length / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            if (!byte.TryParse(text.Substring(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return null;
            }
        }

        return bytes;
    }
}
