using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Cofi.Actors.Configuration;
using Cofi.Actors.Distribution;
using Cofi.Actors.Executors;
using Cofi.Actors.Gpu;
using Cofi.Actors.Stages;

namespace Cofi.Actors.Batches;

/// <summary>
/// Runs one batch: spawns a StageActor per stage (each under a backoff supervisor) and a GpuWorker per GPU
/// machine, starts distribution once every stage has recovered, and records how the batch ended.
/// </summary>
public sealed class BatchSupervisor : ReceivePersistentActor
{
    /// <summary>The manager's status query, carrying what the manager knows of the batch.</summary>
    public sealed record GetStatus(BatchSummary Summary);

    public sealed record Pause
    {
        public static readonly Pause Instance = new();
    }

    public sealed record Resume
    {
        public static readonly Resume Instance = new();
    }

    public sealed record Cancel
    {
        public static readonly Cancel Instance = new();
    }

    /// <summary>The manager's retry-failed request number <see cref="Request"/> for this running batch; <see cref="Stage"/>: only files failed there.</summary>
    public sealed record RetryFailed(int Request, string? Stage = null);

    /// <summary>An operator added a GPU machine: give it a worker for this batch.</summary>
    public sealed record AddMachine(string Machine);

    /// <summary>The process is stopping: hold every stage (<see cref="StageCommands.Hold"/>); answered with <see cref="Held"/>.</summary>
    public sealed record Hold(TimeSpan Grace);

    /// <summary>Every stage is held, or the grace ran out with <see cref="StillInFlight"/> calls not back.</summary>
    public sealed record Held(long BatchId, int StillInFlight, bool GraceRanOut);
    /// <summary>An operator removed a GPU machine: its worker stops, and its calls in flight go back to the queue.</summary>
    public sealed record RemoveMachine(string Machine);

    private sealed record FailedCollected(IReadOnlyList<int> FileIds, string? Error);

    private sealed record FailedRequeued(int Files, string? Error);

    private readonly long _batchId;
    private readonly string _input;
    private readonly CofiSettings _settings;
    private readonly List<string> _machines;
    private readonly int _retryRequests;
    private readonly IExecutorProvider _executors;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _stages = new();
    private readonly Dictionary<string, StageCounts> _counts = new();
    private readonly List<IActorRef> _workers = new();
    private readonly HashSet<string> _ready = new();
    private GpuNodeCommands.Attach? _attach;
    private BatchEvents.Finished? _finished;
    private bool _started;
    private bool _paused;
    private int _retriesDone;
    private bool _retryPending;
    private bool _retrying;
    private string? _retryStage;

    public BatchSupervisor(long batchId, string input, bool paused, CofiSettings settings, IReadOnlyList<string> machines, int retryRequests,
        IExecutorProvider executors, TimeProvider clock, string? retryStage = null)
    {
        _retryStage = retryStage;
        _batchId = batchId;
        _input = input;
        _paused = paused;
        _settings = settings;
        _machines = machines.ToList();
        _retryRequests = retryRequests;
        _executors = executors;
        _clock = clock;

        Recover<BatchEvents.Finished>(e => _finished = e);
        Recover<BatchEvents.RetryStarted>(e =>
        {
            _finished = null;
            _retriesDone = e.Request;
        });
        Recover<RecoveryCompleted>(_ =>
        {
            if (_retryRequests > _retriesDone)
            {
                Persist(new BatchEvents.RetryStarted(_batchId, _retryRequests, _clock.GetUtcNow()), e =>
                {
                    _finished = null;
                    _retriesDone = e.Request;
                    _retryPending = true;
                    SpawnChildren();
                });
            }
            else if (_finished is not null) ReportFinished(_finished);
            else SpawnChildren();
        });

        Command<StageSignals.Ready>(OnStageReady);
        Command<StageSignals.Finished>(m =>
        {
            _counts[m.Stage] = m.Counts;
            if (m.Stage == _settings.Pipeline.Stages[^1].Name) Finish(BatchStatus.Completed, null);
        });
        Command<StageSignals.Halted>(m => Finish(BatchStatus.Failed, m.Reason));
        Command<Pause>(_ => SetPaused(true));
        Command<Resume>(_ => SetPaused(false));
        Command<Cancel>(_ => Finish(BatchStatus.Cancelled, "cancelled by an operator"));
        Command<ClusterEvent.MemberUp>(m => AttachTo(m.Member));
        Command<ClusterEvent.ReachableMember>(m => AttachTo(m.Member));
        Command<ClusterEvent.UnreachableMember>(m => Lose(m.Member, "is unreachable"));
        Command<ClusterEvent.MemberRemoved>(m => Lose(m.Member, "left the cluster"));
        Command<StageProgress>(m =>
        {
            if (m.Counts.BatchId == _batchId) _counts[m.Counts.Stage] = m.Counts;
        });
        Command<RetryFailed>(m =>
        {
            if (m.Request <= _retriesDone) return;
            _retryStage = m.Stage;
            Persist(new BatchEvents.RetryStarted(_batchId, m.Request, _clock.GetUtcNow()), e =>
            {
                _retriesDone = e.Request;
                _retryPending = true;
                if (_started) StartRetry();
            });
        });
        Command<FailedCollected>(OnFailedCollected);
        Command<FailedRequeued>(m =>
        {
            if (m.Error is not null) _log.Warning("Batch {0}: requeueing failed files did not finish: {1}", _batchId, m.Error);
            else _log.Info("Batch {0}: retry-failed requeued {1} file records", _batchId, m.Files);
            _retrying = false;
            var distribution = _stages[_settings.Pipeline.Stages[0].Name];
            if (_started) distribution.Tell(DistributionCommands.Replay.Instance);
            else StartDistribution();
        });
        Command<AddMachine>(m =>
        {
            if (_machines.Contains(m.Machine, StringComparer.OrdinalIgnoreCase)) return;
            _machines.Add(m.Machine);
            if (_stages.Count > 0) SpawnWorker(m.Machine);
        });
        // Before its stages exist (still recovering, or ending) there is nothing to hold.
        Command<Hold>(m => HoldStages(_batchId, _stages.Count > 0 ? ModelStages() : [], m.Grace, Context.System.EventStream).PipeTo(Sender));
        Command<RemoveMachine>(m =>
        {
            _machines.RemoveAll(name => string.Equals(name, m.Machine, StringComparison.OrdinalIgnoreCase));
            // Its stages watch the worker: what it had in flight goes back to their queues.
            if (Context.Child($"gpu-{Uri.EscapeDataString(m.Machine)}") is { } worker && !worker.IsNobody())
            {
                _workers.Remove(worker);
                Context.Stop(worker);
            }
        });
        Command<GetStatus>(m =>
        {
            if (!_started) Stash.Stash();
            else Sender.Tell(new BatchStatusReply(m.Summary, StageCounts()));
        });
    }

    public const string GpuRole = "gpu";

    /// <param name="paused">the batch was paused before this supervisor started: its stages start paused.</param>
    /// <param name="retryStage">the stage the latest retry-failed request named (null: every stage).</param>
    public static Props Props(long batchId, string input, bool paused, CofiSettings settings, IReadOnlyList<string> machines, int retryRequests,
        IExecutorProvider executors, TimeProvider clock, string? retryStage = null) =>
        Akka.Actor.Props.Create(() => new BatchSupervisor(batchId, input, paused, settings, machines, retryRequests, executors, clock, retryStage));

    public override string PersistenceId => $"batch-{_batchId}";

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(StageProgress));
        base.PreStart();
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        if (_attach is not null) Cluster.Get(Context.System).Unsubscribe(Self);
        base.PostStop();
    }

    private void SpawnChildren()
    {
        var pipeline = _settings.Pipeline;
        IActorRef? next = null;
        foreach (var stage in pipeline.Stages.Reverse())
        {
            var props = stage.Kind == StageKind.Distribution
                ? DistributionActor.Props(_batchId, _input, _settings.InputRoots, stage, _settings.Persistence, next!, Self, _clock)
                : StageActor.Props(_batchId, stage, pipeline.Mode, _settings.Persistence, next, Self, _executors, _clock);
            var supervised = BackoffSupervisor.Props(Backoff.OnStop(props, stage.Name,
                TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1));
            next = Context.ActorOf(supervised, $"stage-{stage.Name}");
            _stages[stage.Name] = next;
            _counts[stage.Name] = new StageCounts(_batchId, stage.Name, 0, 0, 0, 0, 0, null, false);
        }
        if (((ExtendedActorSystem)Context.System).Provider is IClusterActorRefProvider)
        {
            // In a cluster, GPU machines are the members with role gpu: each one's GpuNode runs this batch's workers.
            _attach = new GpuNodeCommands.Attach(_batchId, GpuStages(), Self);
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
        }
        // Machines that are only HTTP endpoints (and, outside a cluster, the simulated ones) get their workers here.
        foreach (var machine in _machines) SpawnWorker(machine);
    }

    private Dictionary<string, IActorRef> GpuStages() => _settings.Pipeline.GpuStages.ToDictionary(s => s.Name, s => _stages[s.Name]);

    private void SpawnWorker(string machine)
    {
        _workers.Add(Context.ActorOf(GpuWorker.Props(_batchId, machine, GpuStages(), _settings.Pipeline, _settings.Gpu.Breaker, _executors, _clock),
            $"gpu-{Uri.EscapeDataString(machine)}"));
    }

    /// <summary>retry-failed: the files failed at any stage have their records dropped at every stage, then are handed on again.</summary>
    private void StartRetry()
    {
        if (_retrying) return;
        _retrying = true;
        _retryPending = false;
        var stages = _retryStage is { } only && _stages.TryGetValue(only, out var stage) ? [stage] : ModelStages();
        Task.WhenAll(stages.Select(s => s.Ask<StageReplies.FailedFiles>(StageQueries.GetFailed.Instance, TimeSpan.FromMinutes(1))))
            .PipeTo(Self, Self,
                replies => new FailedCollected(replies.SelectMany(r => r.FileIds).Distinct().Order().ToList(), null),
                e => new FailedCollected([], e.Message));
    }

    private void OnFailedCollected(FailedCollected collected)
    {
        if (collected.Error is not null)
        {
            Self.Tell(new FailedRequeued(0, collected.Error));
            return;
        }
        _log.Info("Batch {0}: retry-failed requeues {1} files", _batchId, collected.FileIds.Count);
        Task.WhenAll(ModelStages().Select(s => s.Ask<StageReplies.Requeued>(new StageCommands.Requeue(collected.FileIds), TimeSpan.FromMinutes(1))))
            .PipeTo(Self, Self, replies => new FailedRequeued(replies.Sum(r => r.Count), null), e => new FailedRequeued(0, e.Message));
    }

    /// <summary>The manager's side of <see cref="BatchCommands.Hold"/>: holds every running batch and sums up their answers.</summary>
    public static async Task<BatchesHeld> HoldAll(IReadOnlyList<IActorRef> supervisors, TimeSpan grace)
    {
        var answers = await Task.WhenAll(supervisors.Select(async supervisor =>
        {
            try
            {
                // A stage still out at the end of the grace is asked for its count, for up to a second.
                return await supervisor.Ask<Held>(new Hold(grace), grace + TimeSpan.FromSeconds(2));
            }
            catch (AskTimeoutException)
            {
                return new Held(0, 0, true);
            }
        }));
        return new BatchesHeld(supervisors.Count, answers.Sum(a => a.StillInFlight), answers.Any(a => a.GraceRanOut), grace);
    }

    private static async Task<Held> HoldStages(long batchId, IReadOnlyList<IActorRef> stages, TimeSpan grace, EventStream events)
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
        return new Held(batchId, await InFlightAsync(stillOut), stillOut.Count > 0);
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
        _started = true;
        _stages[_settings.Pipeline.Stages[0].Name].Tell(DistributionCommands.Start.Instance);
        Stash.UnstashAll();
    }

    private void AttachTo(Member member)
    {
        if (_attach is null || !member.HasRole(GpuRole)) return;
        _log.Info("Batch {0}: GPU node {1} is up; attaching its machines", _batchId, member.Address);
        Context.ActorSelection(new RootActorPath(member.Address) / "user" / GpuNode.Name).Tell(_attach);
    }

    private void Lose(Member member, string why)
    {
        if (_attach is null || !member.HasRole(GpuRole)) return;
        _log.Warning("Batch {0}: GPU node {1} {2}; its calls in flight go back to the queue", _batchId, member.Address, why);
        foreach (var stage in _attach.Stages.Values) stage.Tell(new StageCommands.NodeLost(member.Address.ToString()));
    }

    private void OnStageReady(StageSignals.Ready ready)
    {
        _counts[ready.Stage] = ready.Counts;
        _ready.Add(ready.Stage);
        // A stage that (re)started knows nothing of a pause: tell it before it is handed any file.
        if (_paused) _stages[ready.Stage].Tell(StageCommands.Pause.Instance);
        var distribution = _stages[_settings.Pipeline.Stages[0].Name];
        if (_started)
        {
            // One stage was started again after a failure: rebuild its queue and its workers' slots.
            _log.Warning("Batch {0}: stage {1} restarted; handing its files on again", _batchId, ready.Stage);
            distribution.Tell(DistributionCommands.Replay.Instance);
            foreach (var worker in _workers) worker.Tell(new GpuWorkerCommands.Reattach(ready.Stage, _stages[ready.Stage]));
            return;
        }
        if (!_stages.Keys.All(_ready.Contains)) return;
        if (_retryPending) StartRetry();
        else if (!_retrying) StartDistribution();
    }

    private void SetPaused(bool paused)
    {
        _paused = paused;
        object command = paused ? StageCommands.Pause.Instance : StageCommands.Unpause.Instance;
        foreach (var stage in _stages.Values) stage.Tell(command);
    }

    private void Finish(BatchStatus status, string? reason)
    {
        if (_finished is not null) return;
        Persist(new BatchEvents.Finished(_batchId, status, reason, StageCounts(), _clock.GetUtcNow()), e =>
        {
            _finished = e;
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
