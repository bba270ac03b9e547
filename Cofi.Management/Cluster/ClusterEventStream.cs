using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cofi.Management;

/// <summary>
/// <c>GET /api/cluster/events</c>: membership and reachability events as this node sees them happen, as Server-Sent
/// Events, until the client goes away. Each connection has an actor subscribed to the cluster's events that writes
/// to a bounded channel (a slow client loses the oldest events, never grows a mailbox).
/// </summary>
public static class ClusterEventStream
{
    /// <param name="Event">joined, up, weakly-up, left, exited, removed, downed, unreachable, reachable, leader.</param>
    public sealed record ClusterEventView(string Event, string? Address, IReadOnlyList<string> Roles, string? Status, DateTimeOffset At);

    public static Results<ServerSentEventsResult<ClusterEventView>, ProblemHttpResult> Stream(StartedActorSystem started, CancellationToken cancel)
    {
        if (started.Get() is not { } system) return Problems.Status(StatusCodes.Status503ServiceUnavailable, "starting", "the actor system has not started");
        if (!ClusterOpsApi.IsCluster(system)) return Problems.Conflict("this node is not in a cluster (a single-node serve): there are no membership events");
        return TypedResults.ServerSentEvents(Events(system, cancel));
    }

    private static async IAsyncEnumerable<SseItem<ClusterEventView>> Events(ActorSystem system, [EnumeratorCancellation] CancellationToken cancel)
    {
        var channel = Channel.CreateBounded<ClusterEventView>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        var relay = system.ActorOf(Props.Create(() => new Relay(channel.Writer)));
        try
        {
            // A comment first, so the client knows it is subscribed before anything happens.
            yield return new SseItem<ClusterEventView>(new ClusterEventView("subscribed", Cluster.Get(system).SelfAddress.ToString(), [], null, DateTimeOffset.UtcNow), "subscribed");
            await foreach (var e in channel.Reader.ReadAllAsync(cancel))
                yield return new SseItem<ClusterEventView>(e, e.Event);
        }
        finally
        {
            system.Stop(relay);
        }
    }

    private sealed class Relay : ReceiveActor
    {
        public Relay(ChannelWriter<ClusterEventView> writer)
        {
            void Write(string kind, Member? member) => writer.TryWrite(new ClusterEventView(kind, member?.Address.ToString(),
                member?.Roles.Order(StringComparer.Ordinal).ToList() ?? [], member?.Status.ToString().ToLowerInvariant(), DateTimeOffset.UtcNow));

            Receive<ClusterEvent.CurrentClusterState>(_ => { });
            Receive<ClusterEvent.MemberJoined>(m => Write("joined", m.Member));
            Receive<ClusterEvent.MemberUp>(m => Write("up", m.Member));
            Receive<ClusterEvent.MemberWeaklyUp>(m => Write("weakly-up", m.Member));
            Receive<ClusterEvent.MemberLeft>(m => Write("left", m.Member));
            Receive<ClusterEvent.MemberExited>(m => Write("exited", m.Member));
            Receive<ClusterEvent.MemberDowned>(m => Write("downed", m.Member));
            Receive<ClusterEvent.MemberRemoved>(m => Write("removed", m.Member));
            Receive<ClusterEvent.UnreachableMember>(m => Write("unreachable", m.Member));
            Receive<ClusterEvent.ReachableMember>(m => Write("reachable", m.Member));
            Receive<ClusterEvent.LeaderChanged>(m => writer.TryWrite(new ClusterEventView("leader", m.Leader?.ToString(), [], null, DateTimeOffset.UtcNow)));
        }

        protected override void PreStart() => Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

        protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
    }
}
