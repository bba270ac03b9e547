using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Cofi.Actors.Configuration;
using Cofi.Actors.Executors;
using Cofi.Actors.Progress;

namespace Cofi.Actors.Gpu;

/// <summary>
/// One per cluster member with role <c>gpu</c>, at <c>/user/gpu-node</c>: the machines this node declares, with
/// their executors, slots and circuit breakers. Each batch's supervisor attaches to it and gets a GpuWorker per machine, running here.
/// Draining stops every worker taking work, waits for what is in flight, then answers.
/// The workers' breaker changes go to the <see cref="ProgressBroadcaster"/> on the node of the batch's supervisor, which
/// relays them to every coordinator's history; on a node that is a coordinator too, its own broadcaster relays them.
/// </summary>
public sealed class GpuNode : ReceiveActor
{
    public const string Name = "gpu-node";

    private readonly string _node;
    private readonly IReadOnlyList<string> _machines;
    private readonly PipelineSettings _pipeline;
    private readonly CircuitBreakerSettings _breaker;
    private readonly IExecutorProvider _executors;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, (IActorRef Supervisor, List<IActorRef> Workers)> _batches = new();
    private readonly List<IActorRef> _drainWaiters = new();
    // Each machine's slots and circuit breaker, shared by the workers of every batch attached here.
    private readonly Dictionary<string, SharedMachine> _shared = new();
    private int _draining = -1;
    private int _incarnations;

    public GpuNode(string node, IReadOnlyList<string> machines, PipelineSettings pipeline, CircuitBreakerSettings breaker,
        IExecutorProvider executors, TimeProvider clock)
    {
        _node = node;
        _machines = machines;
        _pipeline = pipeline;
        _breaker = breaker;
        _executors = executors;
        _clock = clock;

        foreach (var machine in machines) _shared[machine] = SharedMachine.Create(Context, machine, pipeline, breaker, clock);

        Receive<GpuNodeCommands.Attach>(Attach);
        Receive<MachineCircuitChanged>(m =>
        {
            if (_batches.TryGetValue(m.BatchId, out var batch))
                Context.ActorSelection(ProgressBroadcaster.PathAt(batch.Supervisor.Path.Address)).Tell(m);
        });
        Receive<GpuNodeCommands.Rerank>(m =>
        {
            if (!_batches.TryGetValue(m.BatchId, out var batch)) return;
            foreach (var worker in batch.Workers) worker.Tell(new GpuWorkerCommands.Rerank(m.Priority, m.Weight));
        });
        Receive<GpuNodeCommands.Drain>(_ => Drain());
        Receive<GpuNodeQueries.Describe>(_ => Sender.Tell(new GpuNodeInfo(_node, Cluster.Get(Context.System).SelfAddress.ToString(), _draining >= 0,
            _machines.Select(m => Metrics.CofiMetrics.Get(Context.System).Machine(m, _pipeline)).ToList())));
        Receive<GpuNodeCommands.Leave>(m =>
        {
            var leaving = m.Node == _node;
            Sender.Tell(new GpuNodeIdentity(_node, Cluster.Get(Context.System).SelfAddress.ToString(), leaving));
            if (!leaving) return;
            _log.Warning("{0}: an operator asked this node to drain and leave the cluster", _node);
            Context.System.EventStream.Publish(new GpuNodeIdentity(_node, Cluster.Get(Context.System).SelfAddress.ToString(), true));
            // The shutdown's drain step (see AddCofiGpuNode) finishes the work in flight before the node leaves.
            CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        });
        Receive<GpuWorkerDrained>(_ =>
        {
            if (--_draining == 0) FinishDrain();
        });
        Receive<Terminated>(m =>
        {
            foreach (var (batchId, batch) in _batches.Where(b => b.Value.Supervisor.Equals(m.ActorRef)).ToList())
            {
                foreach (var worker in batch.Workers) Context.Stop(worker);
                _batches.Remove(batchId);
            }
        });
    }

    public static Props Props(string node, IReadOnlyList<string> machines, PipelineSettings pipeline, CircuitBreakerSettings breaker,
        IExecutorProvider executors, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new GpuNode(node, machines, pipeline, breaker, executors, clock));

    protected override void PreStart()
    {
        if (!Cluster.Get(Context.System).SelfRoles.Contains(NodeSettings.Coordinator))
            Context.System.EventStream.Subscribe(Self, typeof(MachineCircuitChanged));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Attach(GpuNodeCommands.Attach attach)
    {
        if (_draining >= 0)
        {
            _log.Info("{0} is draining; not taking work of batch {1}", _node, attach.BatchId);
            return;
        }
        if (_batches.TryGetValue(attach.BatchId, out var known) && !known.Supervisor.Equals(attach.Supervisor))
        {
            // The batch's coordinator moved (a standby took over): the old incarnation's workers serve stages that are gone.
            _log.Info("{0}: batch {1} has a new supervisor; replacing its workers", _node, attach.BatchId);
            Context.Unwatch(known.Supervisor);
            foreach (var worker in known.Workers) Context.Stop(worker);
            _batches.Remove(attach.BatchId);
        }
        else if (_batches.TryGetValue(attach.BatchId, out known))
        {
            // Attached again after this node was unreachable: the stages dropped its slots, so offer them again.
            foreach (var worker in known.Workers)
                foreach (var (stage, stageRef) in attach.Stages)
                    worker.Tell(new GpuWorkerCommands.Reattach(stage, stageRef));
            return;
        }
        Context.Watch(attach.Supervisor);
        var workers = _machines
            .Select(machine => Context.ActorOf(GpuWorker.Props(attach.BatchId, machine, attach.Stages, _pipeline, _breaker, _executors, _clock,
                    _shared[machine], new GpuWorker.Ranking(attach.Priority, attach.Weight)),
                $"batch-{attach.BatchId}-{Uri.EscapeDataString(machine)}-{++_incarnations}"))
            .ToList();
        _batches[attach.BatchId] = (attach.Supervisor, workers);
        _log.Info("{0}: {1} machine(s) attached to batch {2}", _node, workers.Count, attach.BatchId);
    }

    private void Drain()
    {
        _drainWaiters.Add(Sender);
        if (_draining >= 0) return;
        var workers = _batches.Values.SelectMany(b => b.Workers).ToList();
        _draining = workers.Count;
        _log.Info("{0}: draining {1} worker(s)", _node, workers.Count);
        if (_draining == 0) FinishDrain();
        foreach (var worker in workers) worker.Tell(GpuWorkerCommands.Drain.Instance);
    }

    private void FinishDrain()
    {
        _log.Info("{0}: drained", _node);
        foreach (var waiter in _drainWaiters) waiter.Tell(new GpuNodeDrained(_node, _machines.Count));
        _drainWaiters.Clear();
    }
}
