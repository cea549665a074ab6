using System;
using System.IO;
using System.Reflection;

namespace ParallelJobs.Operations.Images;

/// <summary>
/// PowerShell 7: an AssemblyLoadContext of the module's own, named "ParallelJobs.Images", holding ImageSharp
/// and ParallelJobs.Images.dll. Both are loaded into it by path before anything binds to them, and a load
/// context answers a name from its own assemblies first, so ParallelJobs.Images.dll gets this ImageSharp
/// whatever another module loaded. Every other name (ParallelJobs.dll itself, System.Memory and the rest
/// that PowerShell ships) falls back to PowerShell's default context and its copies; the Resolving handler
/// answers only what that fallback cannot find. AssemblyLoadContext is not part of netstandard2.0, so the
/// context is made by reflection: its constructor, LoadFromAssemblyPath and Resolving are public since .NET Core 3.0.
/// </summary>
internal static class ImageLoadContext
{
    public const string Name = "ParallelJobs.Images";

    public static Assembly Load(string folder, string imagesPath, Assembly module)
    {
        Type contextType = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext", throwOnError: true)!;
        object context = contextType.GetConstructor(new[] { typeof(string), typeof(bool) })!.Invoke(new object[] { Name, false });
        MethodInfo loadFromPath = contextType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })!;
        Assembly LoadPath(string path) => (Assembly)Invoke(loadFromPath, context, path);

        var resolver = new Resolver(folder, module, LoadPath);
        EventInfo resolving = contextType.GetEvent("Resolving")!;
        // The MethodInfo overload binds a method whose parameter type is less derived than the delegate's.
        MethodInfo resolve = typeof(Resolver).GetMethod(nameof(Resolver.Resolve))!;
        resolving.AddEventHandler(context, Delegate.CreateDelegate(resolving.EventHandlerType!, resolver, resolve));

        string portable = Path.Combine(folder, ImageSharpLoader.ImageSharpName + ".dll");
        string fast = Path.Combine(folder, ImageSharpLoader.CoreFolder, ImageSharpLoader.ImageSharpName + ".dll");
        if (!TryLoad(LoadPath, fast))
        {
            // The portable build still works, only slower.
            LoadPath(portable);
        }

        return LoadPath(imagesPath);
    }

    private static bool TryLoad(Func<string, Assembly> load, string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            load(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Calls a reflected method, throwing what it threw rather than a TargetInvocationException.</summary>
    private static object Invoke(MethodInfo method, object target, params object[] arguments)
    {
        try
        {
            return method.Invoke(target, arguments)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>The context's Resolving handler: asked only for names the default context does not have.</summary>
    private sealed class Resolver
    {
        private readonly string _folder;
        private readonly Assembly _module;
        private readonly Func<string, Assembly> _load;

        public Resolver(string folder, Assembly module, Func<string, Assembly> load)
        {
            _folder = folder;
            _module = module;
            _load = load;
        }

        // Bound to Func<AssemblyLoadContext, AssemblyName, Assembly?>: the context parameter is taken as object.
        public Assembly? Resolve(object context, AssemblyName name)
        {
            // The module was loaded into some other context than the default one: bind to it all the same.
            if (string.Equals(name.Name, _module.GetName().Name, StringComparison.OrdinalIgnoreCase))
            {
                return _module;
            }

            string path = Path.Combine(_folder, name.Name + ".dll");
            return File.Exists(path) ? _load(path) : null;
        }
    }
}
