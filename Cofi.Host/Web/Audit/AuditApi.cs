using Cofi.Host.Web.Events;
using Cofi.Management;
using Cofi.Management.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using static Cofi.Host.Web.Audit.ReadModelAuditTrail;

namespace Cofi.Host.Web.Audit;

/// <summary>
/// <c>GET /api/audit</c>: the audit trail, newest first, a page at a time (<c>after</c>: the <c>next</c> of the page
/// before), filtered by token name, action, HTTP outcome and time. For admins.
/// </summary>
public static class AuditApi
{
    public const int MaxLimit = 1_000;

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/audit").WithTags("audit").RequireRole(Role.Admin);
        group.MapGet("/", ReadAsync).WithName("AuditTrail");
        return group;
    }

    public static async Task<Results<Ok<CursorPage<AuditRow>>, ProblemHttpResult>> ReadAsync(long? after, int? limit, string? token, string? action,
        int? outcome, DateTimeOffset? since, ReadModelAuditTrail trail, CancellationToken cancel)
    {
        if (limit is < 1 or > MaxLimit) return Problems.Fields("limit", $"must be between 1 and {MaxLimit}");
        if (after is < 0) return Problems.Fields("after", "must be 0 or more");
        if (outcome is < 100 or > 599) return Problems.Fields("outcome", "must be an HTTP status, from 100 to 599");
        var take = limit ?? 100;
        var rows = await trail.ReadAsync(new AuditFilter(Blank(token), Blank(action), outcome, since), after ?? 0, take, cancel);
        return TypedResults.Ok(new CursorPage<AuditRow>(rows, rows.Count > 0 ? rows[^1].Id : after ?? 0, rows.Count < take));
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
