using System.Globalization;
using System.Runtime.InteropServices;
using Cofi.Actors.Configuration;

namespace Cofi.Host.Runtime;

/// <summary>What a process stopped by a signal exits with.</summary>
public enum StopExit
{
    /// <summary>run, demo, retry-failed: 130 after SIGINT (Ctrl+C), 143 after SIGTERM; running the command again resumes.</summary>
    Interrupted,

    /// <summary>node, serve: a standing process asked to stop has done what it was asked, 0.</summary>
    Clean,
}

/// <summary>
/// The one owner of SIGINT (Ctrl+C) and SIGTERM in a Cofi process; neither the Generic Host nor System.CommandLine
/// handles them. The first signal asks for a graceful stop: <see cref="Stopping"/> is cancelled, every runtime bound
/// with <see cref="Stops"/> runs its CoordinatedShutdown (no new work, the calls in flight finish within the grace
/// and are recorded, the read model is flushed, the node leaves its cluster), and a watchdog ends the process if it
/// is still there the grace plus <see cref="ShutdownSettings.Margin"/> later. A second signal ends it at once.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StopExit _exit;
    private int _signals;

    private StopSignals(TimeSpan grace, StopExit exit)
    {
        Grace = grace;
        _exit = exit;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Takes SIGINT and SIGTERM over from now on.</summary>
    public static StopSignals Listen(ShutdownSettings shutdown, StopExit exit) => new(shutdown.Grace, exit);

    /// <summary>How long the calls in flight get to finish once a stop was asked for (<c>cofi.shutdown.grace</c>).</summary>
    public TimeSpan Grace { get; }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Completes at the first signal.</summary>
    public Task FirstSignal => _first.Task;

    public bool Requested => _stopping.IsCancellationRequested;

    /// <summary>The first signal, once one came.</summary>
    public PosixSignal? Signal { get; private set; }

    public string SignalName => Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";

    /// <summary>What the process exits with after a stop: see <see cref="StopExit"/>.</summary>
    public int ExitCode => _exit == StopExit.Clean ? 0 : Signal == PosixSignal.SIGTERM ? 143 : 130;

    /// <summary>How to stop at once: Ctrl+C again in a terminal, the same signal again otherwise.</summary>
    public string AgainHint => Signal == PosixSignal.SIGTERM ? "send SIGTERM again" : "press Ctrl+C again";

    /// <summary>The first signal stops <paramref name="runtime"/> gracefully (at once if it has come already).</summary>
    public void Stops(CofiRuntime runtime) => _stopping.Token.Register(() => _ = runtime.StopAsync());

    /// <summary>"30s", "1.5s", "500ms".</summary>
    public static string Describe(TimeSpan duration) => duration.TotalSeconds >= 1 || duration == TimeSpan.Zero
        ? $"{duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s"
        : $"{duration.TotalMilliseconds:0}ms";

    private void OnSignal(PosixSignalContext context)
    {
        // Never the runtime's default (an immediate exit): the first signal stops gracefully, the second at once.
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1)
        {
            // In a terminal the line starts after the ^C the terminal echoed.
            Console.WriteLine($"{(Console.IsOutputRedirected ? "" : Environment.NewLine)}stopping at once ({context.Signal} again): calls still in flight are sent again when their batch resumes");
            Environment.Exit(ExitCode);
            return;
        }
        Signal = context.Signal;
        // Its own thread: a stop that hangs may well have starved the thread pool.
        new Thread(Watchdog) { IsBackground = true, Name = "stop-watchdog" }.Start();
        _first.TrySetResult();
        _stopping.Cancel();
    }

    /// <summary>Nothing may keep a stopping process alive past the grace and the margin.</summary>
    private void Watchdog()
    {
        var limit = Grace + ShutdownSettings.Margin;
        Thread.Sleep(limit);
        Console.Error.WriteLine($"cofi: still running {Describe(limit)} after {SignalName}; exiting now (calls still in flight are sent again when their batch resumes)");
        Environment.Exit(ExitCode);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }
}
