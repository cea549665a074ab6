using System;
using System.IO;
using System.Reflection;
using System.Threading;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Loads Resize-Image's ImageSharp code when the first image is resized, never at Import-Module.
/// It lives in the module's Images folder: ParallelJobs.Images.dll, ImageSharp's portable build and its
/// dependencies, and ImageSharp's netcoreapp3.1 build (SIMD, about twice as fast) in a subfolder.
/// On PowerShell 7 both assemblies load into a load context of the module's own (<see cref="ImageLoadContext"/>),
/// so a different ImageSharp that another module put into PowerShell's default context is never bound to, and
/// ours never troubles it. ParallelJobs.dll itself names no ImageSharp type: it creates the resizer by name
/// and uses it through <see cref="IImageResizer"/>, which the image assembly binds back to this very assembly.
/// Windows PowerShell 5.1 has no load contexts: there the image assembly is loaded from its folder and
/// <see cref="FrameworkImageResolver"/> answers the requests of the module's own assemblies.
/// </summary>
internal static class ImageSharpLoader
{
    public const string FolderName = "Images";
    public const string CoreFolder = "netcoreapp3.1";
    public const string ImagesAssemblyName = "ParallelJobs.Images";
    public const string ImageSharpName = "SixLabors.ImageSharp";
    private const string ResizerTypeName = "ParallelJobs.Operations.Images.ImageResizer";

    private static readonly Lazy<Assembly> _images = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder the image assemblies are loaded from.</summary>
    public static string Folder =>
        Path.Combine(Path.GetDirectoryName(typeof(ImageSharpLoader).Assembly.Location) ?? string.Empty, FolderName);

    public static IImageResizer CreateResizer(ImageResizeSettings settings)
    {
        Type type = _images.Value.GetType(ResizerTypeName, throwOnError: true)!;
        object resizer = Activator.CreateInstance(type, settings)!;
        return resizer as IImageResizer ?? throw new InvalidOperationException(
            $"Resize-Image's image code ('{type.Assembly.Location}') is bound to another copy of ParallelJobs.dll than the one imported; import the module in a new session.");
    }

    private static Assembly Load()
    {
        string folder = Folder;
        string images = Path.Combine(folder, ImagesAssemblyName + ".dll");
        if (!File.Exists(images))
        {
            throw new FileNotFoundException($"Resize-Image cannot find its image code: '{images}' is missing. Reinstall the module.", images);
        }

        Assembly module = typeof(ImageSharpLoader).Assembly;
        return IsFramework ? FrameworkImageResolver.Load(folder, images, module) : ImageLoadContext.Load(folder, images, module);
    }

    /// <summary>The .NET Framework's core library is mscorlib; .NET's is System.Private.CoreLib.</summary>
    private static bool IsFramework => typeof(object).Assembly.GetName().Name == "mscorlib";
}
