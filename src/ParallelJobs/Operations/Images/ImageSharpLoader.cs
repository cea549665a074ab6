using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Picks the ImageSharp build that suits the host, once, at Import-Module, before any image code runs.
/// The module folder holds the netstandard2.0 build, which runs everywhere; on PowerShell 7 the
/// netcoreapp3.1 build in the subfolder of that name is loaded first instead, because only it uses the
/// processor's SIMD instructions (about twice as fast at decoding and resizing). Both builds have the
/// same identity, so every reference to ImageSharp then binds to the one already loaded.
/// On Windows PowerShell 5.1 the .NET Framework has no binding redirects for a module, so requests for
/// an older version of an assembly the module ships (System.Memory asks for an older
/// System.Runtime.CompilerServices.Unsafe) are answered with the module's copy.
/// </summary>
internal static class ImageSharpLoader
{
    public const string CoreFolder = "netcoreapp3.1";
    private const string ImageSharpName = "SixLabors.ImageSharp";
    private static int _registered;
    private static string? _moduleFolder;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        _moduleFolder = Path.GetDirectoryName(typeof(ImageSharpLoader).Assembly.Location);
        if (string.IsNullOrEmpty(_moduleFolder))
        {
            return;
        }

        // The .NET Framework's core library is mscorlib; .NET's is System.Private.CoreLib.
        if (typeof(object).Assembly.GetName().Name == "mscorlib")
        {
            AppDomain.CurrentDomain.AssemblyResolve += ResolveFromModuleFolder;
            return;
        }

        string fast = Path.Combine(_moduleFolder, CoreFolder, ImageSharpName + ".dll");
        bool loaded = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == ImageSharpName);
        if (!loaded && File.Exists(fast))
        {
            try
            {
                Assembly.LoadFrom(fast);
            }
            catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException)
            {
                // The portable build beside the module still works, only slower.
            }
        }
    }

    private static Assembly? ResolveFromModuleFolder(object? sender, ResolveEventArgs args)
    {
        var wanted = new AssemblyName(args.Name);
        string path = Path.Combine(_moduleFolder!, wanted.Name + ".dll");
        if (!File.Exists(path))
        {
            return null;
        }

        AssemblyName shipped = AssemblyName.GetAssemblyName(path);
        if (wanted.Version is not null && shipped.Version < wanted.Version)
        {
            return null;
        }

        return Assembly.LoadFrom(path);
    }
}
