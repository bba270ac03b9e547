using Akka.Actor;
using Akka.Event;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Gpu;

/// <summary>
/// One GPU machine's share of a batch: offers each GPU stage the machine's free slots for it, runs the calls
/// it is given through the machine's executor, and reports each outcome, which hands the slot back.
/// </summary>
public sealed class GpuWorker : ReceiveActor
{
    private sealed record CallFinished(GpuWorkerCommands.Run Run, CallOutcome Outcome, long DurationMs);

    private sealed record Lane(StageSettings Stage, IActorRef StageRef, IStageExecutor Executor)
    {
        public int Busy { get; set; }
    }

    private readonly string _machine;
    private readonly Dictionary<string, Lane> _lanes;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _draining;

    public GpuWorker(string machine, IReadOnlyDictionary<string, IActorRef> stages, PipelineSettings pipeline, IExecutorProvider executors, TimeProvider clock)
    {
        _machine = machine;
        _clock = clock;
        _lanes = pipeline.GpuStages
            .Where(s => stages.ContainsKey(s.Name))
            .ToDictionary(s => s.Name, s => new Lane(s, stages[s.Name], executors.For(s, machine)));

        Receive<GpuWorkerCommands.Run>(Start);
        Receive<CallFinished>(Finish);
        Receive<GpuWorkerCommands.Drain>(_ =>
        {
            _draining = true;
            foreach (var lane in _lanes.Values) lane.StageRef.Tell(new StageCommands.Withdraw(Self));
            ReportIfDrained();
        });
        Receive<GpuWorkerCommands.Reattach>(m =>
        {
            if (_draining || !_lanes.TryGetValue(m.Stage, out var lane)) return;
            _lanes[m.Stage] = lane = lane with { StageRef = m.StageRef, Busy = lane.Busy };
            m.StageRef.Tell(new StageCommands.Pull(Self, _machine, Math.Max(0, lane.Stage.Slots - lane.Busy)));
        });
    }

    public static Props Props(string machine, IReadOnlyDictionary<string, IActorRef> stages, PipelineSettings pipeline, IExecutorProvider executors, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new GpuWorker(machine, stages, pipeline, executors, clock));

    protected override void PreStart()
    {
        foreach (var lane in _lanes.Values)
            lane.StageRef.Tell(new StageCommands.Pull(Self, _machine, lane.Stage.Slots));
    }

    protected override void PostStop()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    private void Start(GpuWorkerCommands.Run run)
    {
        if (_draining || !_lanes.TryGetValue(run.Call.Stage, out var lane))
        {
            _log.Warning("{0} has no lane for stage {1}; refusing {2}", _machine, run.Call.Stage, run.Call.File.Name);
            run.StageRef.Tell(new StageCommands.Report(run.Call.File.FileId, run.Call.Attempt,
                new CallOutcome.TransientFailure(_draining ? $"machine {_machine} is draining" : $"machine {_machine} does not serve stage {run.Call.Stage}"), _machine, 0), Self);
            return;
        }
        lane.Busy++;
        var started = _clock.GetTimestamp();
        var clock = _clock;
        GuardedCall.RunAsync(lane.Executor, run.Call, lane.Stage.Timeout, _shutdown.Token).PipeTo(Self, Self, outcome => new CallFinished(run, outcome, (long)clock.GetElapsedTime(started).TotalMilliseconds));
    }

    private void Finish(CallFinished finished)
    {
        var call = finished.Run.Call;
        if (_lanes.TryGetValue(call.Stage, out var lane)) lane.Busy--;
        finished.Run.StageRef.Tell(new StageCommands.Report(call.File.FileId, call.Attempt, finished.Outcome, _machine, finished.DurationMs), Self);
        ReportIfDrained();
    }

    private void ReportIfDrained()
    {
        if (_draining && _lanes.Values.All(l => l.Busy == 0)) Context.Parent.Tell(new GpuWorkerDrained(_machine));
    }
}
