using System.Security.Cryptography;
using System.Text.Json;

namespace Cofi.Actors.Batches;

/// <summary>
/// A hash of what a submission asks for, with its defaults filled in, so that a retry that leaves out a default it
/// gave the first time is the same request. Kept with an idempotency key to tell a retry from a different request.
/// </summary>
public static class SubmitFingerprint
{
    public static string Of(BatchCommands.Submit submit)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new
        {
            input = submit.Input,
            name = submit.Name ?? BatchSummary.DefaultName(submit.Input),
            priority = submit.Priority,
            labels = (submit.Labels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new[] { l.Key, l.Value }),
            resumeUnfinished = submit.ResumeUnfinished,
            again = submit.Again,
        });
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }
}
