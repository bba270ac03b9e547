using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Cofi.Actors.Gpu;

namespace Cofi.Actors.Batches;

/// <summary>
/// The GPU members of the cluster, for every batch this coordinator runs: a member with role <c>gpu</c> that is up
/// (or reachable again) gets each running batch attached to its machines; one that is unreachable or has left is
/// reported to each batch's supervisor, whose stages put its calls in flight back in their queues. One per coordinator.
/// </summary>
public sealed class GpuMembership : ReceiveActor
{
    public const string Name = "gpu-membership";
    public const string GpuRole = "gpu";

    /// <summary>A running batch wants the GPU members' machines; it stays attached until its supervisor stops.</summary>
    public sealed record Join(GpuNodeCommands.Attach Attach);

    /// <summary>A running batch's priority or weight changed: every GPU node hears of it.</summary>
    public sealed record Rerank(long BatchId, int Priority, double Weight);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, GpuNodeCommands.Attach> _batches = new();
    private readonly HashSet<Address> _up = new();

    public GpuMembership()
    {
        Receive<Join>(m =>
        {
            _batches[m.Attach.BatchId] = m.Attach;
            Context.Watch(m.Attach.Supervisor);
            foreach (var address in _up) AttachTo(address, m.Attach);
        });
        Receive<Rerank>(m =>
        {
            if (!_batches.TryGetValue(m.BatchId, out var attach)) return;
            _batches[m.BatchId] = attach with { Priority = m.Priority, Weight = m.Weight };
            foreach (var address in _up)
                Context.ActorSelection(new RootActorPath(address) / "user" / GpuNode.Name).Tell(new GpuNodeCommands.Rerank(m.BatchId, m.Priority, m.Weight));
        });
        Receive<Terminated>(m =>
        {
            foreach (var (batchId, _) in _batches.Where(b => b.Value.Supervisor.Equals(m.ActorRef)).ToList()) _batches.Remove(batchId);
        });
        Receive<ClusterEvent.MemberUp>(m => Up(m.Member));
        Receive<ClusterEvent.ReachableMember>(m => Up(m.Member));
        Receive<ClusterEvent.UnreachableMember>(m => Lose(m.Member, "is unreachable"));
        Receive<ClusterEvent.MemberRemoved>(m => Lose(m.Member, "left the cluster"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new GpuMembership());

    protected override void PreStart() =>
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private void Up(Member member)
    {
        if (!member.HasRole(GpuRole) || member.Status != MemberStatus.Up) return;
        _up.Add(member.Address);
        if (_batches.Count > 0) _log.Info("GPU node {0} is up; attaching its machines to {1} running batch(es)", member.Address, _batches.Count);
        foreach (var attach in _batches.Values) AttachTo(member.Address, attach);
    }

    private void Lose(Member member, string why)
    {
        if (!member.HasRole(GpuRole)) return;
        _up.Remove(member.Address);
        foreach (var attach in _batches.Values) attach.Supervisor.Tell(new SupervisorCommands.GpuNodeLost(member.Address.ToString(), why));
    }

    private void AttachTo(Address address, GpuNodeCommands.Attach attach) =>
        Context.ActorSelection(new RootActorPath(address) / "user" / GpuNode.Name).Tell(attach);
}
