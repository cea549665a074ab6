using System;
using System.IO;
using System.Reflection;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// Windows PowerShell 5.1, which has one load context per process: ParallelJobs.Images.dll is loaded from the
/// Images folder when the first image is resized, and the .NET Framework finds ImageSharp and its dependencies
/// beside it. There are no binding redirects for a module, so requests for an older version of an assembly
/// shipped there (System.Memory asks for an older System.Runtime.CompilerServices.Unsafe) are answered with
/// that copy, and ParallelJobs.Images.dll's request for ParallelJobs.dll with this one. Only requests that come
/// from the module's own assemblies are answered. What this cannot do: when another module has already loaded
/// an ImageSharp of the same assembly version (every 2.x is 2.0.0.0), the .NET Framework hands out that copy.
/// </summary>
internal static class FrameworkImageResolver
{
    private static string _folder = string.Empty;
    private static string _moduleFolder = string.Empty;
    private static Assembly? _module;

    public static Assembly Load(string folder, string imagesPath, Assembly module)
    {
        _folder = folder;
        _module = module;
        _moduleFolder = Path.GetDirectoryName(module.Location) ?? folder;
        AppDomain.CurrentDomain.AssemblyResolve += Resolve;
        return Assembly.LoadFrom(imagesPath);
    }

    private static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        // A request from an assembly that is not the module's own is someone else's to answer.
        if (args.RequestingAssembly is { } requester && requester != _module && !IsInModuleFolder(requester))
        {
            return null;
        }

        var wanted = new AssemblyName(args.Name);
        if (string.Equals(wanted.Name, _module!.GetName().Name, StringComparison.OrdinalIgnoreCase))
        {
            return _module;
        }

        string path = Path.Combine(_folder, wanted.Name + ".dll");
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

    private static bool IsInModuleFolder(Assembly assembly)
    {
        string location = assembly.IsDynamic ? string.Empty : assembly.Location;
        return location.StartsWith(_moduleFolder + Path.DirectorySeparatorChar, StringComparison.OrdinalIgnoreCase);
    }
}
