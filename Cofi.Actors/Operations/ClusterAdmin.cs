using Akka.Actor;
using Akka.Cluster;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Operations;

/// <summary>
/// On every Cofi node at <c>/user/cluster-admin</c>: where an operator's command line, which does not join the
/// cluster, reaches it. Each request is handled by a child of its own.
/// </summary>
public sealed class ClusterAdmin : ReceiveActor
{
    public const string Name = "cluster-admin";

    public ClusterAdmin(TimeSpan answerWithin)
    {
        Receive<AdminCommands.DrainNode>(m => Context.ActorOf(NodeDrain.Props(m.Node, Sender, answerWithin)));
    }

    public static Props Props(TimeSpan answerWithin) => Akka.Actor.Props.Create(() => new ClusterAdmin(answerWithin));
}

/// <summary>
/// Asks every GPU member for the node of that name, tells the operator it is draining, and tells again once the
/// cluster has removed it.
/// </summary>
public sealed class NodeDrain : ReceiveActor, IWithTimers
{
    private sealed record AnswerTimeout;

    private readonly string _node;
    private readonly IActorRef _operator;
    private readonly HashSet<string> _known = new();
    private readonly TimeSpan _answerWithin;
    private int _waitingFor;
    private string? _address;

    public NodeDrain(string node, IActorRef @operator, TimeSpan answerWithin)
    {
        _node = node;
        _operator = @operator;
        _answerWithin = answerWithin;
        var cluster = Cluster.Get(Context.System);

        Receive<Gpu.GpuNodeIdentity>(m =>
        {
            _known.Add(m.Node);
            _waitingFor--;
            if (m.Leaving && _address is null)
            {
                _address = m.Address;
                _operator.Tell(new AdminReplies.Draining(_node, m.Address));
                Timers.Cancel("answers");
                cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
            }
            else if (_address is null && _waitingFor == 0) NotFound();
        });
        Receive<AnswerTimeout>(_ => NotFound());
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            if (m.Member.Address.ToString() != _address) return;
            _operator.Tell(new AdminReplies.NodeLeft(_node, _address));
            Context.Stop(Self);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string node, IActorRef @operator, TimeSpan answerWithin) =>
        Akka.Actor.Props.Create(() => new NodeDrain(node, @operator, answerWithin));

    protected override void PreStart()
    {
        var gpuMembers = Cluster.Get(Context.System).State.Members.Where(m => m.HasRole(NodeSettings.Gpu) && m.Status == MemberStatus.Up).ToList();
        _waitingFor = gpuMembers.Count;
        foreach (var member in gpuMembers)
            Context.ActorSelection(new RootActorPath(member.Address) / "user" / Gpu.GpuNode.Name).Tell(new Gpu.GpuNodeCommands.Leave(_node));
        if (_waitingFor == 0) NotFound();
        else Timers.StartSingleTimer("answers", new AnswerTimeout(), _answerWithin);
    }

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    private void NotFound()
    {
        _operator.Tell(new AdminReplies.NodeNotFound(_node, _known.Order().ToList()));
        Context.Stop(Self);
    }
}
