using Akka.Actor;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Gpu;

namespace Cofi.Actors.Stages;

/// <summary>
/// Serves a stage that runs on the coordinator (rules, LLM endpoints, metadata) the way a GpuWorker serves a GPU
/// stage: it offers the stage's concurrency as slots, runs each call it is given under the stage's timeout, and
/// reports the outcome to the stage it belongs to (its parent), which hands the slot back. One dispatch path for every stage.
/// </summary>
public sealed class LocalWorker : ReceiveActor
{
    public const string Machine = "coordinator";

    private readonly StageSettings _stage;
    private readonly IStageExecutor _executor;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _shutdown = new();

    public LocalWorker(StageSettings stage, IStageExecutor executor, TimeProvider clock)
    {
        _stage = stage;
        _executor = executor;
        _clock = clock;
        Receive<GpuWorkerCommands.Run>(Call);
        // Nothing to release on the coordinator when the stage is finished.
        Receive<GpuWorkerCommands.StageFinished>(_ => { });
    }

    public static Props Props(StageSettings stage, IExecutorProvider executors, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new LocalWorker(stage, executors.For(stage, Machine), clock));

    protected override void PreStart() => Context.Parent.Tell(new StageCommands.Pull(Self, Machine, _stage.Concurrency));

    protected override void PostStop()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    private void Call(GpuWorkerCommands.Run run)
    {
        var call = run.Call;
        var started = _clock.GetTimestamp();
        var clock = _clock;
        GuardedCall.RunAsync(_executor, call, _stage.TimeoutFor(call.File), _shutdown.Token).PipeTo(Context.Parent, Self, outcome =>
            new StageCommands.Report(call.File.FileId, call.Attempt, outcome, call.Machine, (long)clock.GetElapsedTime(started).TotalMilliseconds));
    }
}
