using System;
using System.IO;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace ParallelJobs.Remote;

/// <summary>
/// Works around a crash in PowerShell 7.6's SSH transport: when ssh dies (its host went down) just as
/// something was written to its stdin, the write fails with a broken pipe and leaves bytes in the
/// writer's buffer; PowerShell then closes that writer on its own transport error thread, the flush
/// fails again, and nothing catches it there, so the whole process ends. This hands that thread a
/// harmless writer and keeps the real one, which <see cref="Release"/> closes where failure is caught.
/// Everything written still goes to ssh: PowerShell writes through its own reference to the real writer.
/// If the transport's shape is not the expected one (another PowerShell version), nothing is changed.
/// </summary>
internal static class SshTransportGuard
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    /// <summary>Swaps in the harmless writer; returns the real one, or null when the transport was not recognised.</summary>
    public static StreamWriter? Detach(Runspace runspace)
    {
        try
        {
            if (Transport(runspace) is not { } transport || StdInField(transport) is not { } field)
            {
                return null;
            }

            if (field.GetValue(transport) is not StreamWriter real)
            {
                return null;
            }

            field.SetValue(transport, new StreamWriter(Stream.Null));
            return real;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// A borrowed session at the end of the run: gives its transport the real writer back if the
    /// transport is still open, and returns null; else returns the real writer, now ours to close.
    /// </summary>
    public static StreamWriter? Reattach(Runspace runspace, StreamWriter real)
    {
        try
        {
            if (Transport(runspace) is { } transport && StdInField(transport) is { } field)
            {
                // Null means PowerShell has closed the transport (and the harmless writer) meanwhile.
                if (field.GetValue(transport) is StreamWriter current && current != real)
                {
                    field.SetValue(transport, real);
                    return null;
                }
            }
        }
        catch (Exception)
        {
            // Fall through: the transport is gone, so the writer is ours to close.
        }

        return real;
    }

    /// <summary>Closes the real writer; a broken pipe here is expected and harmless.</summary>
    public static void Release(StreamWriter? real)
    {
        try
        {
            real?.Dispose();
        }
        catch (Exception)
        {
            // The pipe to a dead ssh cannot take the last bytes: nothing is lost that anyone waits for.
        }
    }

    private static object? Transport(Runspace runspace)
    {
        object? pool = Member(runspace, "RunspacePool");
        object? internalPool = Member(pool, "_internalPool");
        object? handler = Member(internalPool, "DataStructureHandler");
        object? transport = Member(handler, "_transportManager");
        return transport?.GetType().Name == "SSHClientSessionTransportManager" ? transport : null;
    }

    private static FieldInfo? StdInField(object transport)
    {
        FieldInfo? field = transport.GetType().GetField("_stdInWriter", Instance);
        return field?.FieldType == typeof(StreamWriter) ? field : null;
    }

    /// <summary>A field or property by name, public or not, declared on the type or a base type.</summary>
    private static object? Member(object? target, string name)
    {
        for (Type? type = target?.GetType(); type is not null; type = type.BaseType)
        {
            if (type.GetField(name, Instance | BindingFlags.DeclaredOnly) is { } field)
            {
                return field.GetValue(target);
            }

            if (type.GetProperty(name, Instance | BindingFlags.DeclaredOnly) is { } property && property.GetIndexParameters().Length == 0)
            {
                return property.GetValue(target);
            }
        }

        return null;
    }
}
