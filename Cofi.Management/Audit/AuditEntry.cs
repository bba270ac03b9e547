namespace Cofi.Management.Audit;

/// <summary>
/// One mutation asked of the API, whether it was carried out or refused: who (the token's name and role; null when
/// no known token came), what (the endpoint's name and the path), why (the <c>reason</c> the caller gave), the HTTP
/// status it was answered with and the caller's address.
/// </summary>
public sealed record AuditEntry(DateTime At, string? TokenName, string? Role, string Action, string Target, string? Reason, int Outcome, string? ClientAddress);

/// <summary>Where audit entries are kept: the read model's <c>audit_log</c> table on a coordinator, the node's log elsewhere.</summary>
public interface IAuditTrail
{
    Task RecordAsync(AuditEntry entry, CancellationToken cancel);
}
