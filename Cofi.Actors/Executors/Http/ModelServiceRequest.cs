using System.Text.Json;
using System.Text.Json.Nodes;
using Cofi.Actors.Configuration;

namespace Cofi.Actors.Executors.Http;

/// <summary>The JSON body Cofi posts to a model service (the contract in the README).</summary>
public static class ModelServiceRequest
{
    public static string For(StageCall call, HttpStageSettings http)
    {
        var results = new JsonObject();
        foreach (var stage in http.IncludeResults)
            if (call.File.Results.TryGetValue(stage, out var json)) results[stage] = ParseOrText(json);
        var body = new JsonObject
        {
            ["batchId"] = call.BatchId,
            ["stage"] = call.Stage,
            ["attempt"] = call.Attempt,
            ["idempotencyKey"] = call.IdempotencyKey,
            ["file"] = new JsonObject { ["name"] = call.File.Name, ["path"] = call.File.Path },
            ["results"] = results,
        };
        return body.ToJsonString();
    }

    /// <summary>The body of a barrier-mode prepare or release call.</summary>
    public static string Lifecycle(long batchId, string stage, string machine) =>
        new JsonObject { ["batchId"] = batchId, ["stage"] = stage, ["machine"] = machine }.ToJsonString();

    internal static JsonNode? ParseOrText(string json)
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
