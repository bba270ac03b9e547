using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Cofi.Actors.Configuration;
using Cofi.Actors.Distribution;
using Cofi.Actors.Executors;
using Cofi.Actors.Gpu;
using Cofi.Actors.Stages;
using Cofi.Actors.Persistence;

namespace Cofi.Actors.Batches;

/// <summary>
/// Runs one batch: spawns a StageActor per stage (each under a backoff supervisor) and a GpuWorker per GPU
/// machine it serves itself (the cluster's GPU nodes are attached through the coordinator's <see cref="GpuMembership"/>),
/// starts distribution once every stage has recovered, keeps the stages' counts, and records how the batch ended.
/// Its state is a <see cref="BatchRunState"/>; a retry-failed request runs as a short-lived <see cref="RetryFailedRun"/>.
/// </summary>
public sealed class BatchSupervisor : ReceivePersistentActor
{
    private readonly long _batchId;
    private readonly string _input;
    private readonly CofiSettings _settings;
    // The machines this batch serves itself, with each one's slots and circuit breaker (shared with every other batch on it).
    private readonly Dictionary<string, SharedMachine> _machines;
    private readonly int _retryRequests;
    private readonly IActorRef? _membership;
    private readonly IExecutorProvider _executors;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _stages = new();
    private readonly Dictionary<string, StageCounts> _counts = new();
    private readonly List<IActorRef> _workers = new();
    private readonly HashSet<string> _ready = new();
    private BatchRunState _state;
    private GpuWorker.Ranking _ranking;

    public BatchSupervisor(long batchId, string input, bool paused, CofiSettings settings, IReadOnlyDictionary<string, SharedMachine> machines,
        int retryRequests, IActorRef? membership, IExecutorProvider executors, TimeProvider clock, string? retryStage = null, int priority = 0,
        bool retryQuarantined = false, double weight = BatchSummary.DefaultWeight)
    {
        _ranking = new GpuWorker.Ranking(priority, weight);
        _batchId = batchId;
        _input = input;
        _state = BatchRunState.Initial(paused, retryStage, retryQuarantined);
        _settings = settings;
        _machines = new Dictionary<string, SharedMachine>(machines, StringComparer.OrdinalIgnoreCase);
        _retryRequests = retryRequests;
        _membership = membership;
        _executors = executors;
        _clock = clock;

        Recover<IBatchEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.OwesRetry(_retryRequests))
            {
                Persist(new BatchEvents.RetryStarted(_batchId, _retryRequests, _clock.GetUtcNow()), e =>
                {
                    _state = _state.Apply(e).RetryRecorded(_state.RetryStage, _state.RetryQuarantined);
                    SpawnChildren();
                });
            }
            else if (_state.Finished is { } finished) ReportFinished(finished);
            else SpawnChildren();
        });

        Command<StageSignals.Ready>(OnStageReady);
        Command<StageSignals.Progress>(m => _counts[m.Counts.Stage] = m.Counts);
        Command<StageSignals.Finished>(m =>
        {
            _counts[m.Stage] = m.Counts;
            if (m.Stage == _settings.Pipeline.Stages[^1].Name) Finish(BatchStatus.Completed, null);
        });
        Command<StageSignals.Halted>(m => Finish(BatchStatus.Failed, m.Reason));
        Command<SupervisorCommands.Pause>(_ => SetPaused(true));
        Command<SupervisorCommands.Resume>(_ => SetPaused(false));
        Command<SupervisorCommands.Cancel>(_ => Finish(BatchStatus.Cancelled, "cancelled by an operator"));
        Command<SupervisorCommands.GpuNodeLost>(m =>
        {
            _log.Warning("Batch {0}: GPU node {1} {2}; its calls in flight go back to the queue", _batchId, m.Address, m.Why);
            foreach (var stage in GpuStages().Values) stage.Tell(new StageCommands.NodeLost(m.Address));
        });
        Command<SupervisorCommands.RetryFailed>(m =>
        {
            if (m.Request <= _state.RetriesDone) return;
            Persist(new BatchEvents.RetryStarted(_batchId, m.Request, _clock.GetUtcNow()), e =>
            {
                _state = _state.Apply(e).RetryRecorded(m.Stage, m.IncludeQuarantined);
                if (_state.Started) StartRetry();
            });
        });
        Command<RetryFailedRun.Finished>(m =>
        {
            if (m.Error is not null) _log.Warning("Batch {0}: requeueing failed files did not finish: {1}", _batchId, m.Error);
            else _log.Info("Batch {0}: retry-failed requeued {1} file records", _batchId, m.Files);
            _state = _state.RetryEnded();
            if (_state.Started) Distribution.Tell(DistributionCommands.Replay.Instance);
            else StartDistribution();
        });
        Command<SupervisorCommands.AddMachine>(m =>
        {
            if (!_machines.TryAdd(m.Machine, m.Shared)) return;
            if (_stages.Count > 0) SpawnWorker(m.Machine);
        });
        Command<SupervisorCommands.Rerank>(m =>
        {
            _ranking = new GpuWorker.Ranking(m.Priority, m.Weight);
            foreach (var worker in _workers) worker.Tell(new GpuWorkerCommands.Rerank(m.Priority, m.Weight));
            _membership?.Tell(new GpuMembership.Rerank(_batchId, m.Priority, m.Weight));
        });
        // Before its stages exist (still recovering, or ending) there is nothing to hold.
        Command<SupervisorCommands.Hold>(m => HoldStages(_batchId, _stages.Count > 0 ? ModelStages() : [], m.Grace, Context.System.EventStream).PipeTo(Sender));
        Command<SupervisorCommands.RemoveMachine>(m =>
        {
            _machines.Remove(m.Machine);
            // Its stages watch the worker: what it had in flight goes back to their queues.
            if (Context.Child($"gpu-{Uri.EscapeDataString(m.Machine)}") is { } worker && !worker.IsNobody())
            {
                _workers.Remove(worker);
                Context.Stop(worker);
            }
        });
        Command<SupervisorCommands.GetStragglers>(m =>
            BatchStragglers.AskAsync(_batchId, _stages.Count > 0 ? GpuStages().Values.ToList() : [], m.Limit).PipeTo(Sender));
        Command<SupervisorCommands.GetStatus>(m =>
        {
            if (!_state.Started) Stash.Stash();
            else Sender.Tell(new BatchReplies.Status(m.Summary, StageCounts()));
        });
    }

    /// <param name="paused">the batch was paused before this supervisor started: its stages start paused.</param>
    /// <param name="retryStage">the stage the latest retry-failed request named (null: every stage).</param>
    /// <param name="membership">the coordinator's <see cref="GpuMembership"/> in a cluster; null outside one.</param>
    /// <param name="machines">the machines this batch serves itself (HTTP endpoints, simulated ones), each with its <see cref="SharedMachine"/>.</param>
    /// <param name="priority">how the batch's calls rank for the machines' slots: higher first.</param>
    public static Props Props(long batchId, string input, bool paused, CofiSettings settings, IReadOnlyDictionary<string, SharedMachine> machines,
        int retryRequests, IActorRef? membership, IExecutorProvider executors, TimeProvider clock, string? retryStage = null, int priority = 0,
        bool retryQuarantined = false, double weight = BatchSummary.DefaultWeight) =>
        Akka.Actor.Props.Create(() => new BatchSupervisor(batchId, input, paused, settings, machines, retryRequests, membership, executors, clock,
            retryStage, priority, retryQuarantined, weight));

    public override string PersistenceId => PersistenceIds.Batch(_batchId);

    private IActorRef Distribution => _stages[_settings.Pipeline.Stages[0].Name];

    private void SpawnChildren()
    {
        var pipeline = _settings.Pipeline;
        IActorRef? next = null;
        for (var position = pipeline.Stages.Count - 1; position >= 0; position--)
        {
            var stage = pipeline.Stages[position];
            // The stages grow together: each takes its first snapshot at another point, so they do not all write at once.
            var persistence = _settings.Persistence with { SnapshotPhase = (double)position / pipeline.Stages.Count };
            var props = stage.Kind == StageKind.Distribution
                ? DistributionActor.Props(_batchId, _input, _settings.InputRoots, stage, persistence, next!, Self, _clock)
                : StageActor.Props(_batchId, stage, pipeline.Mode, persistence, next, Self, _executors, _clock);
            var supervised = BackoffSupervisor.Props(Backoff.OnStop(props, stage.Name,
                TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1));
            next = Context.ActorOf(supervised, $"stage-{stage.Name}");
            _stages[stage.Name] = next;
            _counts[stage.Name] = new StageCounts(_batchId, stage.Name, 0, 0, 0, 0, 0, null, false);
        }
        // In a cluster, GPU machines are the members with role gpu: each one's GpuNode runs this batch's workers.
        _membership?.Tell(new GpuMembership.Join(new GpuNodeCommands.Attach(_batchId, GpuStages(), Self, _ranking.Priority, _ranking.Weight)));
        // Machines that are only HTTP endpoints (and, outside a cluster, the simulated ones) get their workers here.
        foreach (var machine in _machines.Keys) SpawnWorker(machine);
    }

    private Dictionary<string, IActorRef> GpuStages() => _settings.Pipeline.GpuStages.ToDictionary(s => s.Name, s => _stages[s.Name]);

    private void SpawnWorker(string machine)
    {
        _workers.Add(Context.ActorOf(GpuWorker.Props(_batchId, machine, GpuStages(), _settings.Pipeline, _settings.Gpu.Breaker, _executors, _clock,
                _machines[machine], _ranking),
            $"gpu-{Uri.EscapeDataString(machine)}"));
    }

    /// <summary>retry-failed: the files failed at any stage (or the one named) have their records dropped at every stage, then are handed on again.</summary>
    private void StartRetry()
    {
        if (_state.Retry == RetryPhase.UnderWay) return;
        _state = _state.RetryBegun();
        var failedAt = _state.RetryStage is { } only && _stages.TryGetValue(only, out var stage) ? [stage] : ModelStages();
        _log.Info("Batch {0}: retry-failed starts", _batchId);
        Context.ActorOf(RetryFailedRun.Props(failedAt, ModelStages(), _state.RetryQuarantined), $"retry-failed-{_state.RetriesDone}");
    }

    /// <summary>The manager's side of <see cref="BatchCommands.Hold"/>: holds every running batch and sums up their answers.</summary>
    public static async Task<BatchesHeld> HoldAll(IReadOnlyList<IActorRef> supervisors, TimeSpan grace)
    {
        var answers = await Task.WhenAll(supervisors.Select(async supervisor =>
        {
            try
            {
                // A stage still out at the end of the grace is asked for its count, for up to a second.
                return await supervisor.Ask<SupervisorReplies.Held>(new SupervisorCommands.Hold(grace), grace + TimeSpan.FromSeconds(2));
            }
            catch (AskTimeoutException)
            {
                return new SupervisorReplies.Held(0, 0, true);
            }
        }));
        return new BatchesHeld(supervisors.Count, answers.Sum(a => a.StillInFlight), answers.Any(a => a.GraceRanOut), grace);
    }

    private static async Task<SupervisorReplies.Held> HoldStages(long batchId, IReadOnlyList<IActorRef> stages, TimeSpan grace, EventStream events)
    {
        var holds = stages.Select(stage => (Stage: stage, Held: stage.Ask<StageReplies.Held>(StageCommands.Hold.Instance, grace))).ToList();
        // Asked after the hold, which each stage sees first: exactly the calls the stop waits for.
        events.Publish(new BatchHolding(batchId, await InFlightAsync(stages)));
        var stillOut = new List<IActorRef>();
        foreach (var (stage, held) in holds)
        {
            try
            {
                await held;
            }
            catch (AskTimeoutException)
            {
                stillOut.Add(stage);
            }
        }
        return new SupervisorReplies.Held(batchId, await InFlightAsync(stillOut), stillOut.Count > 0);
    }

    private static async Task<int> InFlightAsync(IEnumerable<IActorRef> stages)
    {
        var counts = await Task.WhenAll(stages.Select(async stage =>
        {
            try
            {
                return (await stage.Ask<StageCounts>(StageQueries.GetCounts.Instance, TimeSpan.FromSeconds(1))).InFlight;
            }
            catch (AskTimeoutException)
            {
                return 0;
            }
        }));
        return counts.Sum();
    }

    private List<IActorRef> ModelStages() =>
        _settings.Pipeline.Stages.Where(s => s.Kind != StageKind.Distribution).Select(s => _stages[s.Name]).ToList();

    private void StartDistribution()
    {
        _state = _state.DistributionStarted();
        Distribution.Tell(DistributionCommands.Start.Instance);
        Stash.UnstashAll();
    }

    private void OnStageReady(StageSignals.Ready ready)
    {
        _counts[ready.Stage] = ready.Counts;
        _ready.Add(ready.Stage);
        // A stage that (re)started knows nothing of a pause: tell it before it is handed any file.
        if (_state.Paused) _stages[ready.Stage].Tell(StageCommands.Pause.Instance);
        if (_state.Started)
        {
            // One stage was started again after a failure: rebuild its queue and its workers' slots.
            _log.Warning("Batch {0}: stage {1} restarted; handing its files on again", _batchId, ready.Stage);
            Distribution.Tell(DistributionCommands.Replay.Instance);
            foreach (var worker in _workers) worker.Tell(new GpuWorkerCommands.Reattach(ready.Stage, _stages[ready.Stage]));
            return;
        }
        if (!_stages.Keys.All(_ready.Contains)) return;
        switch (_state.WhenAllReady())
        {
            case BatchStart.Retry:
                StartRetry();
                break;
            case BatchStart.Distribution:
                StartDistribution();
                break;
        }
    }

    private void SetPaused(bool paused)
    {
        _state = _state with { Paused = paused };
        object command = paused ? StageCommands.Pause.Instance : StageCommands.Unpause.Instance;
        foreach (var stage in _stages.Values) stage.Tell(command);
    }

    private void Finish(BatchStatus status, string? reason)
    {
        if (_state.Finished is not null) return;
        Persist(new BatchEvents.Finished(_batchId, status, reason, StageCounts(), _clock.GetUtcNow()), e =>
        {
            _state = _state.Apply(e);
            if (status == BatchStatus.Failed) _log.Warning("Batch {0} failed: {1}", _batchId, reason);
            ReportFinished(e);
        });
    }

    private void ReportFinished(BatchEvents.Finished e)
    {
        Context.Parent.Tell(new BatchFinished(e.BatchId, e.Status, e.Reason, e.Stages, e.At));
        Context.Stop(Self);
    }

    private IReadOnlyList<StageCounts> StageCounts() =>
        _settings.Pipeline.Stages.Select(s => _counts.GetValueOrDefault(s.Name) ?? new StageCounts(_batchId, s.Name, 0, 0, 0, 0, 0, null, false)).ToList();
}
