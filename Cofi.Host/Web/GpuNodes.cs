using Akka.Actor;
using Akka.Cluster;
using Cofi.Actors.Configuration;
using Cofi.Actors.Gpu;

namespace Cofi.Host.Web;

/// <summary>The GPU nodes of the cluster, each asked for its name, machines, slots and breakers.</summary>
public static class GpuNodes
{
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(3);

    /// <summary>Every GPU member that is up and answers in time; none outside a cluster.</summary>
    public static async Task<IReadOnlyList<GpuNodeInfo>> DescribeAsync(ActorSystem system, CancellationToken cancel)
    {
        if (((ExtendedActorSystem)system).Provider is not IClusterActorRefProvider) return [];
        var members = Cluster.Get(system).State.Members.Where(m => m.HasRole(NodeSettings.Gpu) && m.Status == MemberStatus.Up);
        var answers = await Task.WhenAll(members.Select(async member =>
        {
            try
            {
                return await system.ActorSelection(new RootActorPath(member.Address) / "user" / GpuNode.Name)
                    .Ask<GpuNodeInfo>(GpuNodeQueries.Describe.Instance, AnswerWithin, cancel);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return null;
            }
        }));
        return answers.OfType<GpuNodeInfo>().OrderBy(n => n.Node, StringComparer.Ordinal).ToList();
    }
}
