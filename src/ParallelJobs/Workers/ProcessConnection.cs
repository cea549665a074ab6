using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Threading;
using ParallelJobs.Remote;

namespace ParallelJobs.Workers;

/// <summary>
/// A child PowerShell process of the same edition and version, and the out-of-process runspace that talks
/// to it over its standard streams: PowerShell's own machinery behind Start-Job (PowerShellProcessInstance
/// and RunspaceFactory.CreateOutOfProcessRunspace), reached by reflection because the reference assemblies
/// of the module do not have it.
/// </summary>
internal sealed class ProcessConnection : ISessionConnection
{
    private static readonly Lazy<TypeTable> Types = new(TypeTable.LoadDefaultTypeFiles, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Type? InstanceType = typeof(Runspace).Assembly.GetType("System.Management.Automation.Runspaces.PowerShellProcessInstance");

    private readonly IDisposable _instance;
    private int _disposed;

    private ProcessConnection(IDisposable instance, Runspace runspace, System.Diagnostics.Process process, bool runtimeTuned)
    {
        _instance = instance;
        RuntimeTuned = runtimeTuned;
        Runspace = runspace;
        Process = process;
        ProcessId = process.Id;
        process.EnableRaisingEvents = true;
        process.Exited += (s, e) => _exited.Set();
        if (HasExited)
        {
            _exited.Set();
        }
    }

    private readonly ManualResetEvent _exited = new(false);


    /// <summary>Set once the process has exited: remoting may take a minute to notice, so a running batch waits on this too.</summary>
    public WaitHandle Exited => _exited;

    public Runspace Runspace { get; }

    public System.Diagnostics.Process Process { get; }

    public int ProcessId { get; }

    /// <summary>True when the process was started with <see cref="RuntimeSetting"/>, which it should then drop.</summary>
    public bool RuntimeTuned { get; }

    public bool Owned => true;

    public bool IsOpen => Runspace.RunspaceStateInfo.State == RunspaceState.Opened && !HasExited;

    public bool HasExited
    {
        get
        {
            try
            {
                return Process.HasExited;
            }
            catch (Exception)
            {
                return true;
            }
        }
    }

    /// <summary>True where this PowerShell has out-of-process runspaces (PowerShell 7 and Windows PowerShell 5.1 both do).</summary>
    public static bool Supported => InstanceType is not null;

    /// <summary>Starts a worker process in <paramref name="workingDirectory"/> and opens its runspace. Throws <see cref="RemoteConnectException"/>.</summary>
    public static ProcessConnection Start(string? workingDirectory, CancellationToken token)
    {
        if (InstanceType is null)
        {
            throw new RemoteConnectException("this PowerShell has no out-of-process runspaces", null);
        }

        token.ThrowIfCancellationRequested();
        IDisposable instance = NewInstance(workingDirectory);
        Runspace? runspace = null;
        try
        {
            bool tuned = TuneRuntime(instance);
            MethodInfo create = typeof(RunspaceFactory).GetMethod("CreateOutOfProcessRunspace", new[] { typeof(TypeTable), InstanceType })
                ?? throw new RemoteConnectException("RunspaceFactory.CreateOutOfProcessRunspace was not found", null);
            runspace = (Runspace)create.Invoke(null, new object[] { Types.Value, instance })!;
            using (token.Register(() => KillQuietly(instance)))
            {
                runspace.Open();
            }

            UntrackedRunspace.Untrack(runspace);
            token.ThrowIfCancellationRequested();
            var process = (System.Diagnostics.Process?)InstanceType.GetProperty("Process")?.GetValue(instance)
                ?? throw new RemoteConnectException("the worker process did not start", null);
            return new ProcessConnection(instance, runspace, process, tuned);
        }
        catch (Exception ex)
        {
            runspace?.Dispose();
            instance.Dispose();
            if (ex is OperationCanceledException or RemoteConnectException)
            {
                throw;
            }

            if (token.IsCancellationRequested)
            {
                throw new OperationCanceledException(token);
            }

            Exception inner = ex is TargetInvocationException { InnerException: { } real } ? real : ex;
            throw new RemoteConnectException(SshConnector.Reason(inner), inner);
        }
    }

    /// <summary>The process's exit code once it has exited (waiting a little for it), else null.</summary>
    public int? ExitCode(TimeSpan wait)
    {
        try
        {
            return Process.WaitForExit((int)wait.TotalMilliseconds) ? Process.ExitCode : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>Its working set in MB, for -MaxWorkerMemoryMB; 0 when it cannot be read.</summary>
    public double MemoryMB()
    {
        try
        {
            Process.Refresh();
            return Process.WorkingSet64 / (1024.0 * 1024.0);
        }
        catch (Exception)
        {
            return 0;
        }
    }

    /// <summary>Ends the process at once (a stuck item, Ctrl+C); the runspace then breaks. Any thread.</summary>
    public void Kill()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }
        }
        catch (Exception)
        {
            // Exited meanwhile.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            Runspace.Dispose();
        }
        catch (Exception)
        {
            // A broken runspace can fail to close; the process is ended below anyway.
        }

        Kill();
        try
        {
            _instance.Dispose();
        }
        catch (Exception)
        {
            // Already gone.
        }
    }

    public void DisposeInBackground()
    {
        Kill();
        var thread = new Thread(Dispose) { IsBackground = true, Name = "ParallelJobs close worker process" };
        thread.Start();
    }

    private static IDisposable NewInstance(string? workingDirectory)
    {
        ConstructorInfo? withDirectory = InstanceType!.GetConstructor(new[] { typeof(Version), typeof(PSCredential), typeof(ScriptBlock), typeof(bool), typeof(string) });
        try
        {
            if (withDirectory is not null)
            {
                return (IDisposable)withDirectory.Invoke(new object?[] { null, null, null, false, workingDirectory });
            }

            ConstructorInfo plain = InstanceType.GetConstructor(new[] { typeof(Version), typeof(PSCredential), typeof(ScriptBlock), typeof(bool) })
                ?? throw new RemoteConnectException("PowerShellProcessInstance has no known constructor", null);
            return (IDisposable)plain.Invoke(new object?[] { null, null, null, false });
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new RemoteConnectException(ex.InnerException.Message, ex.InnerException);
        }
    }

    /// <summary>
    /// Set for the worker's runtime unless the caller's environment sets it: PowerShell's assemblies come without
    /// precompiled code, so a new process compiles for seconds after it starts, and dynamic PGO compiles much of it
    /// twice. Without it, ten warm processes on two cores ran the seed example 50 ms faster, and started faster; the
    /// script work of items ran as fast. The worker removes it from its environment once started (<see cref="ParentWatch"/>),
    /// so items and the processes they start see the caller's.
    /// </summary>
    internal const string RuntimeSetting = "DOTNET_TieredPGO";

    /// <summary>Sets <see cref="RuntimeSetting"/> for the process about to start; true when it did.</summary>
    private static bool TuneRuntime(IDisposable instance)
    {
        if (Environment.GetEnvironmentVariable(RuntimeSetting) is null
            && InstanceType!.GetProperty("Process")?.GetValue(instance) is System.Diagnostics.Process pending)
        {
            pending.StartInfo.Environment[RuntimeSetting] = "0";
            return true;
        }

        return false;
    }

    private static void KillQuietly(object instance)
    {
        try
        {
            (InstanceType!.GetProperty("Process")?.GetValue(instance) as System.Diagnostics.Process)?.Kill();
        }
        catch (Exception)
        {
            // Not started yet, or gone.
        }
    }
}
