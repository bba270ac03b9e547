using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cofi.Actors.Executors;

/// <summary>The builtin <c>metadata</c> stage: one final result per file, combining every earlier stage's result.</summary>
public sealed class MetadataExecutor : IStageExecutor
{
    public Task<CallOutcome> ExecuteAsync(StageCall call, CancellationToken cancellationToken)
    {
        var file = call.File;
        var results = new JsonObject();
        foreach (var (stage, json) in file.Results.OrderBy(r => r.Key, StringComparer.Ordinal))
            results[stage] = Parse(json);
        var final = new JsonObject
        {
            ["file"] = file.Name,
            ["status"] = file.Disposition?.Status switch
            {
                null => "completed",
                Files.FileStatus.Failed => "failed",
                _ => "skipped",
            },
            ["stage"] = file.Disposition?.Stage,
            ["reason"] = file.Disposition?.Reason,
            ["results"] = results,
        };
        return Task.FromResult<CallOutcome>(new CallOutcome.Completed(final.ToJsonString()));
    }

    private static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
