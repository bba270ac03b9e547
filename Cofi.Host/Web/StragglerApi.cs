using Cofi.Actors.Batches;
using Cofi.Management;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cofi.Host.Web;

/// <summary>
/// <c>GET /api/batches/{batchId}/stragglers?limit=</c>: the calls running longest right now across the batch's GPU
/// stages, longest first, with machine, attempt and speculation state, and each stage's backups and calls so far.
/// Asked of the stages themselves (through the BatchManager), never of the whole batch's records.
/// </summary>
public static class StragglerApi
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 200;

    public static async Task<Results<Ok<BatchStragglers>, ValidationProblem, ProblemHttpResult>> StragglersAsync(long batchId, int? limit,
        BatchReads reads, HttpContext http)
    {
        if (limit is < 1 or > MaxLimit) return Problems.Invalid("limit", $"must be between 1 and {MaxLimit}");
        return await reads.StragglersAsync(batchId, limit ?? DefaultLimit) switch
        {
            BatchStragglers stragglers => TypedResults.Ok(stragglers),
            BatchReplies.NotFound => Problems.BatchNotFound(batchId),
            null => Problems.Unavailable(http, "the batch manager is not answering (a coordinator may be taking over); the running calls are known only to it"),
            var other => throw new InvalidOperationException($"unexpected reply {other.GetType().Name}"),
        };
    }
}
