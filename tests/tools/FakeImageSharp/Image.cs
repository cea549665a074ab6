namespace SixLabors.ImageSharp;

/// <summary>The one type of the stand-in: it says which copy a session has bound to.</summary>
public static class Image
{
    public const string Marker = "fake ImageSharp for the dependency tests";
}
