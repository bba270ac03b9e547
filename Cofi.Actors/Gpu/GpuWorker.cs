using Akka.Actor;
using Akka.Event;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Metrics;
using Cofi.Actors.Stages;
using Polly.CircuitBreaker;

namespace Cofi.Actors.Gpu;

/// <summary>
/// One GPU machine's share of a batch: offers each GPU stage the machine's free slots for it, runs the calls
/// it is given through the machine's executor behind the machine's circuit breaker (shared, like its slots, with
/// every batch's worker on the machine), and reports each outcome, which hands the slot back. While the circuit is open the machine's slots are withdrawn, so its files go to the
/// other machines; after the break one slot per stage is offered for the probe, and all of them once it succeeded.
/// In barrier mode, a stage with prepare/release calls is prepared before the machine's first file of it and
/// released once the stage is finished. Draining withdraws every slot, lets the calls in flight finish, then tells the parent.
/// </summary>
public sealed class GpuWorker : ReceiveActor, IWithTimers
{
    private sealed record CallFinished(GpuWorkerCommands.Run Run, CallOutcome Outcome, long DurationMs);

    private sealed record ProbeDue
    {
        public static readonly ProbeDue Instance = new();
    }

    private sealed record LifecycleFinished(string Stage, string Call, CallOutcome Outcome);

    /// <summary>How this batch's calls rank at the machine: priority (higher first) and weight among equal priorities.</summary>
    public sealed record Ranking(int Priority, double Weight)
    {
        public static readonly Ranking Default = new(0, 1);
    }

    private enum Readiness
    {
        Unprepared,
        Preparing,
        Prepared,
        Released,
    }

    private sealed class Lane(StageSettings stage, IActorRef stageRef, IStageExecutor executor)
    {
        public StageSettings Stage { get; } = stage;
        public IActorRef StageRef { get; set; } = stageRef;
        public IStageExecutor Executor { get; } = executor;
        public int Busy { get; set; }
        public Readiness Readiness { get; set; } = Readiness.Unprepared;
        public List<GpuWorkerCommands.Run> AwaitingPrepare { get; } = new();
        public IStageLifecycle? Lifecycle => Executor is IStageLifecycle { HasLifecycle: true } l ? l : null;
    }

    private readonly long _batchId;
    private readonly string _machine;
    private readonly PipelineMode _mode;
    private readonly TimeSpan _breakDuration;
    private readonly Dictionary<string, Lane> _lanes;
    private readonly MachineCircuit _circuit;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CofiMetrics _metrics = CofiMetrics.Get(Context.System);
    // The machine's slots, shared with the other batches' workers on it; null: this worker's slots are its own.
    private readonly IActorRef? _machineSlots;
    // Calls waiting for one of the machine's slots, by token.
    private readonly Dictionary<long, (Lane Lane, GpuWorkerCommands.Run Run)> _awaitingSlot = new();
    // Each running call's cancellation, for when another attempt at its file answers first.
    private readonly Dictionary<(string Stage, int FileId, int Attempt), CancellationTokenSource> _running = new();
    // Calls cancelled while they waited for the machine's slot: the slot, once granted, goes back at once.
    private readonly HashSet<long> _cancelledWaiting = new();
    private long _tokens;
    private Ranking _ranking;
    private CircuitState _state = CircuitState.Closed;
    private bool _draining;

    public GpuWorker(long batchId, string machine, IReadOnlyDictionary<string, IActorRef> stages, PipelineSettings pipeline,
        CircuitBreakerSettings breaker, IExecutorProvider executors, TimeProvider clock, SharedMachine? shared, Ranking ranking)
    {
        _batchId = batchId;
        _machineSlots = shared?.Slots;
        _circuit = shared?.Circuit ?? new MachineCircuit(machine, breaker, clock);
        _ranking = ranking;
        _machine = machine;
        _mode = pipeline.Mode;
        _breakDuration = breaker.BreakDuration;
        _clock = clock;
        _lanes = pipeline.GpuStages
            .Where(s => stages.ContainsKey(s.Name))
            .ToDictionary(s => s.Name, s => new Lane(s, stages[s.Name], executors.For(s, machine)));

        Receive<GpuWorkerCommands.Run>(Start);
        Receive<CallFinished>(Finish);
        Receive<MachineCircuit.Changed>(OnCircuitChanged);
        Receive<ProbeDue>(_ =>
        {
            if (_state != CircuitState.Open || _draining) return;
            // One call per stage may go; the breaker lets the first through as the probe and declines the rest.
            foreach (var lane in _lanes.Values) lane.StageRef.Tell(new StageCommands.Resume(Self, _machine, 1));
        });
        Receive<GpuWorkerCommands.Drain>(_ =>
        {
            _draining = true;
            foreach (var lane in _lanes.Values) lane.StageRef.Tell(new StageCommands.Withdraw(Self));
            ReportIfDrained();
        });
        Receive<GpuWorkerCommands.Reattach>(m =>
        {
            if (_draining || !_lanes.TryGetValue(m.Stage, out var lane)) return;
            lane.StageRef = m.StageRef;
            if (_state == CircuitState.Closed) m.StageRef.Tell(new StageCommands.Pull(Self, _machine, Math.Max(0, Credits(lane) - lane.Busy)));
        });
        Receive<GpuWorkerCommands.StageFinished>(m =>
        {
            if (!_lanes.TryGetValue(m.Stage, out var lane) || lane.Lifecycle is not { } lifecycle || lane.Readiness != Readiness.Prepared) return;
            lane.Readiness = Readiness.Released;
            var stage = m.Stage;
            lifecycle.ReleaseAsync(_batchId, _shutdown.Token).PipeTo(Self, Self, o => new LifecycleFinished(stage, "release", o),
                e => new LifecycleFinished(stage, "release", new CallOutcome.TransientFailure(e.Message)));
        });
        Receive<LifecycleFinished>(OnLifecycleFinished);
        Receive<MachineSlotReplies.Granted>(m =>
        {
            if (!_awaitingSlot.Remove(m.Token, out var waiting)) return;
            if (!_cancelledWaiting.Remove(m.Token))
            {
                Call(waiting.Lane, waiting.Run);
                return;
            }
            Finish(new CallFinished(waiting.Run, new CallOutcome.Superseded($"dropped on {_machine} before it started: another attempt answered first"), 0));
        });
        Receive<GpuWorkerCommands.Cancel>(OnCancel);
        Receive<GpuWorkerCommands.Rerank>(m =>
        {
            _ranking = new Ranking(m.Priority, m.Weight);
            _machineSlots?.Tell(new MachineSlotCommands.Rank(_batchId, m.Priority, m.Weight));
        });
    }

    /// <param name="shared">the machine's slots and circuit breaker, shared by every batch's worker on it (see <see cref="SharedMachine"/>); null: this worker's own.</param>
    public static Props Props(long batchId, string machine, IReadOnlyDictionary<string, IActorRef> stages, PipelineSettings pipeline,
        CircuitBreakerSettings breaker, IExecutorProvider executors, TimeProvider clock, SharedMachine? shared = null, Ranking? ranking = null) =>
        Akka.Actor.Props.Create(() => new GpuWorker(batchId, machine, stages, pipeline, breaker, executors, clock, shared, ranking ?? Ranking.Default));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _circuit.Subscribe(Self);
        _machineSlots?.Tell(new MachineSlotCommands.Rank(_batchId, _ranking.Priority, _ranking.Weight));
        _metrics.Breaker(_batchId, _machine, "closed");
        foreach (var lane in _lanes.Values)
        {
            lane.StageRef.Tell(new StageCommands.Pull(Self, _machine, Credits(lane)));
            Measure(lane);
        }
    }

    protected override void PostStop()
    {
        _circuit.Unsubscribe(Self);
        _metrics.MachineGone(_batchId, _machine);
        _shutdown.Cancel();
        _shutdown.Dispose();
    }

    private void Start(GpuWorkerCommands.Run run)
    {
        if (_draining || !_lanes.TryGetValue(run.Call.Stage, out var lane))
        {
            if (!_draining) _log.Warning("{0} has no lane for stage {1}; refusing {2}", _machine, run.Call.Stage, run.Call.File.Name);
            Report(run, new CallOutcome.Declined(_draining ? $"machine {_machine} is draining" : $"machine {_machine} does not serve stage {run.Call.Stage}"), 0);
            return;
        }
        if (_mode == PipelineMode.Barrier && lane.Lifecycle is { } lifecycle && lane.Readiness != Readiness.Prepared)
        {
            lane.Busy++;
            lane.AwaitingPrepare.Add(run);
            if (lane.Readiness == Readiness.Preparing) return;
            lane.Readiness = Readiness.Preparing;
            var stage = lane.Stage.Name;
            lifecycle.PrepareAsync(_batchId, _shutdown.Token).PipeTo(Self, Self, o => new LifecycleFinished(stage, "prepare", o),
                e => new LifecycleFinished(stage, "prepare", new CallOutcome.TransientFailure(e.Message)));
            return;
        }
        lane.Busy++;
        Measure(lane);
        Admit(lane, run);
    }

    /// <summary>The call runs once the machine has a slot for it: at once when the slots are this worker's own.</summary>
    private void Admit(Lane lane, GpuWorkerCommands.Run run)
    {
        if (_machineSlots is null)
        {
            Call(lane, run);
            return;
        }
        var token = ++_tokens;
        _awaitingSlot[token] = (lane, run);
        _machineSlots.Tell(new MachineSlotCommands.Acquire(lane.Stage.Name, _batchId, token));
    }

    /// <summary>
    /// The calls this worker takes for a stage: the machine's slots, and with shared slots one more, waiting at the
    /// machine, so that a freed slot starts the next call at once instead of after a round trip to the stage.
    /// </summary>
    private int Credits(Lane lane) => lane.Stage.Slots + (_machineSlots is null ? 0 : 1);

    private void Measure(Lane lane) => _metrics.MachineSlots(_batchId, _machine, lane.Stage.Name, lane.Busy, lane.Stage.Slots);

    private void Call(Lane lane, GpuWorkerCommands.Run run)
    {
        var started = _clock.GetTimestamp();
        var clock = _clock;
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        _running[Key(run)] = cancel;
        var superseded = cancel.Token;
        // A call cancelled because another attempt answered first, or because this worker stopped, is no fault of the
        // machine: the breaker, which the other batches' workers share, does not count it.
        _circuit.RunAsync(async token =>
            {
                var outcome = await GuardedCall.RunAsync(lane.Executor, run.Call, lane.Stage.TimeoutFor(run.Call.File), token);
                if (!superseded.IsCancellationRequested) return outcome;
                return _shutdown.IsCancellationRequested
                    ? new CallOutcome.Declined($"cancelled on {run.Call.Machine}: the worker stopped")
                    : new CallOutcome.Superseded($"cancelled on {run.Call.Machine}: another attempt answered first");
            }, cancel.Token)
            .PipeTo(Self, Self, outcome => new CallFinished(run, outcome, (long)clock.GetElapsedTime(started).TotalMilliseconds));
    }

    private static (string, int, int) Key(GpuWorkerCommands.Run run) => (run.Call.Stage, run.Call.File.FileId, run.Call.Attempt);

    /// <summary>Aborts a running call (the HTTP request with it); one still waiting for the machine's slot is dropped.</summary>
    private void OnCancel(GpuWorkerCommands.Cancel cancel)
    {
        if (_running.TryGetValue((cancel.Stage, cancel.FileId, cancel.Attempt), out var running))
        {
            running.Cancel();
            return;
        }
        foreach (var (token, _) in _awaitingSlot.Where(w => Key(w.Value.Run) == (cancel.Stage, cancel.FileId, cancel.Attempt)).ToList())
            _cancelledWaiting.Add(token);
    }

    private void Finish(CallFinished finished)
    {
        if (_running.Remove(Key(finished.Run), out var cancel)) cancel.Dispose();
        if (_lanes.TryGetValue(finished.Run.Call.Stage, out var lane))
        {
            lane.Busy--;
            Measure(lane);
            _machineSlots?.Tell(new MachineSlotCommands.Release(lane.Stage.Name, _batchId));
        }
        Report(finished.Run, finished.Outcome, finished.DurationMs);
        ReportIfDrained();
    }

    private void ReportIfDrained()
    {
        if (_draining && _lanes.Values.All(l => l.Busy == 0)) Context.Parent.Tell(new GpuWorkerDrained(_machine));
    }

    private void Report(GpuWorkerCommands.Run run, CallOutcome outcome, long durationMs) =>
        run.StageRef.Tell(new StageCommands.Report(run.Call.File.FileId, run.Call.Attempt, outcome, _machine, durationMs), Self);

    private void OnCircuitChanged(MachineCircuit.Changed changed)
    {
        _state = changed.State;
        _metrics.Breaker(_batchId, _machine, changed.State switch
        {
            CircuitState.Open or CircuitState.Isolated => "open",
            CircuitState.HalfOpen => "half_open",
            _ => "closed",
        });
        Context.System.EventStream.Publish(new MachineCircuitChanged(_batchId, _machine, changed.State.ToString(), _clock.GetUtcNow()));
        switch (changed.State)
        {
            case CircuitState.Open:
                _log.Warning("GPU machine {0}: circuit open, no new work for {1}", _machine, _breakDuration);
                foreach (var lane in _lanes.Values) lane.StageRef.Tell(new StageCommands.Suspend(Self));
                Timers.StartSingleTimer("probe", ProbeDue.Instance, _breakDuration);
                break;
            case CircuitState.Closed when !_draining:
                _log.Info("GPU machine {0}: circuit closed, taking work again", _machine);
                foreach (var lane in _lanes.Values)
                    lane.StageRef.Tell(new StageCommands.Resume(Self, _machine, Math.Max(0, Credits(lane) - lane.Busy)));
                break;
        }
    }

    private void OnLifecycleFinished(LifecycleFinished finished)
    {
        var ok = finished.Outcome is CallOutcome.Completed;
        var reason = finished.Outcome switch
        {
            CallOutcome.TransientFailure t => t.Reason,
            CallOutcome.PermanentFailure p => p.Reason,
            _ => null,
        };
        Context.System.EventStream.Publish(new MachineStageCall(_batchId, _machine, finished.Stage, finished.Call, ok, reason, _clock.GetUtcNow()));
        if (finished.Call != "prepare" || !_lanes.TryGetValue(finished.Stage, out var lane)) return;
        var waiting = lane.AwaitingPrepare.ToList();
        lane.AwaitingPrepare.Clear();
        if (ok)
        {
            lane.Readiness = Readiness.Prepared;
            foreach (var run in waiting) Admit(lane, run);
            return;
        }
        _log.Warning("GPU machine {0}: preparing stage {1} failed: {2}", _machine, finished.Stage, reason);
        lane.Readiness = Readiness.Unprepared;
        foreach (var run in waiting)
        {
            lane.Busy--;
            Report(run, new CallOutcome.TransientFailure($"preparing {finished.Stage} on {_machine} failed: {reason}"), 0);
        }
        ReportIfDrained();
    }
}
