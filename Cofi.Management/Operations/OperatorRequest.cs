using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cofi.Management;

/// <summary>
/// The body every mutation accepts (and may be sent without): why the operator did it, recorded in the node's log
/// line for it, and, for the verbs that ask before they act, <see cref="DryRun"/> to learn what they would affect.
/// </summary>
public sealed record OperatorRequest(string? Reason = null, bool DryRun = false)
{
    public static readonly IReadOnlyDictionary<string, string> Expected = new Dictionary<string, string>
    {
        ["reason"] = "a string",
        ["dryRun"] = "true or false",
    };
}

/// <summary>What a destructive mutation would affect, answered to a dry run; <see cref="Confirm"/>: the client should ask first.</summary>
public sealed record DryRunAnswer(string Affects, int Count, bool Confirm);

public static class OperatorBody
{
    public const int MaxReason = 500;

    /// <summary>
    /// The body as <typeparamref name="T"/> (strictly, as <see cref="JsonBody"/> reads it), or <paramref name="empty"/>
    /// when the request has no body at all.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, IReadOnlyDictionary<string, string> expected, T empty)
        where T : class
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && request.ContentType is null)) return (empty, null);
        return await JsonBody.ReadAsync<T>(request, expected);
    }

    /// <summary>The <see cref="OperatorRequest"/> of a plain mutation, or the problem with its body or its reason.</summary>
    public static async Task<(OperatorRequest? Value, ProblemHttpResult? Problem)> ReadRequestAsync(HttpRequest request)
    {
        var (body, refused) = await ReadAsync(request, OperatorRequest.Expected, new OperatorRequest());
        if (refused is not null) return (null, refused);
        return ReasonProblem(body!.Reason) is { } badReason ? (null, badReason) : (body, null);
    }

        /// <summary>Null when the reason is acceptable (absent, or one line of at most <see cref="MaxReason"/> characters).</summary>
    public static ProblemHttpResult? ReasonProblem(string? reason) =>
        reason is null ? null
        : reason.Length > MaxReason ? Problems.Fields("reason", $"must be at most {MaxReason} characters (got {reason.Length})")
        : reason.Any(char.IsControl) ? Problems.Fields("reason", "must be one line of printable characters")
        : null;
}
