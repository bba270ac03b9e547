using Akka.Actor;
using Akka.Event;

namespace Cofi.Management.Audit;

/// <summary>An audit entry of a cluster member without a read model, on its way to a coordinator's audit trail.</summary>
/// <param name="Node">the member's cluster address, put before the entry's target in the coordinator's trail</param>
public sealed record ForwardedAudit(string Node, AuditEntry Entry);

/// <summary>
/// A coordinator's inbox for the audit entries of GPU nodes and the Lighthouse (<see cref="ClusterAuditTrail"/>), at
/// <c>/user/audit-inbox</c>: each entry becomes a row of the coordinator's trail (the read model's <c>audit_log</c>).
/// </summary>
public sealed class AuditInbox : ReceiveActor
{
    public const string Name = "audit-inbox";

    public AuditInbox(IAuditTrail trail)
    {
        var log = Context.GetLogger();
        ReceiveAsync<ForwardedAudit>(async m =>
        {
            try
            {
                await trail.RecordAsync(m.Entry with { Target = $"{m.Node} {m.Entry.Target}" }, CancellationToken.None);
            }
            catch (Exception e)
            {
                log.Error(e, "Audit entry of {0} not recorded: {1} {2} by {3}", m.Node, m.Entry.Action, m.Entry.Target, m.Entry.TokenName ?? "(no token)");
            }
        });
    }

    public static Props Props(IAuditTrail trail) => Akka.Actor.Props.Create(() => new AuditInbox(trail));
}
