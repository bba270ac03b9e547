using Akka.Actor;
using Cofi.Actors.Operations;

namespace Cofi.Host.Operations;

/// <summary>
/// The command line's side of a drain: asks a node's ClusterAdmin, reports the node draining, and ends when the
/// cluster has removed it (or, when the node asked was the one drained, when it is gone).
/// </summary>
public sealed class DrainClient : ReceiveActor
{
    public const int Left = 0;
    public const int NotFound = 2;

    public DrainClient(IActorRef admin, string node, TaskCompletionSource<int> done)
    {
        string? address = null;
        admin.Tell(new AdminCommands.DrainNode(node));
        Receive<AdminReplies.Draining>(m =>
        {
            address = m.Address;
            Console.WriteLine($"node {node} ({m.Address}): draining, then leaving the cluster");
            Context.Watch(Sender);
        });
        Receive<AdminReplies.NodeLeft>(m =>
        {
            Console.WriteLine($"node {node}: left the cluster");
            done.TrySetResult(Left);
        });
        Receive<AdminReplies.NodeNotFound>(m =>
        {
            Console.Error.WriteLine(m.Known.Count == 0
                ? $"cofi: no GPU node named '{node}': the cluster has no GPU node up"
                : $"cofi: no GPU node named '{node}'; GPU nodes up: {string.Join(", ", m.Known)}");
            done.TrySetResult(NotFound);
        });
        Receive<Terminated>(m =>
        {
            // The node that answered was the one drained: it stopped because it left.
            if (m.ActorRef.Path.Address.ToString() != address) return;
            Console.WriteLine($"node {node}: left the cluster");
            done.TrySetResult(Left);
        });
    }

    public static Props Props(IActorRef admin, string node, TaskCompletionSource<int> done) =>
        Akka.Actor.Props.Create(() => new DrainClient(admin, node, done));
}
