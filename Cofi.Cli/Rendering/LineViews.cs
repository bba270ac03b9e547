using System.Text.Json.Nodes;

namespace Cofi.Cli.Rendering;

/// <summary>One line per item of a stream: an execution-log row, a membership event.</summary>
public static class LineViews
{
    public static string Line(string view, JsonNode? item) => view switch
    {
        "log" => $"{Text.Of(item?["at"])}  {Text.Of(item?["stage"]),-10} {Text.Of(item?["type"]),-15} {Text.Of(item?["fileName"]) switch { "-" => "", var f => f + " " }}{Text.Of(item?["status"])}" +
                 (item?["processedFiles"] is { } n ? $" {Text.Of(n)}" : "") + (item?["type"]?.ToString() == "file_error" ? $"  {Text.Of(item?["payload"])}" : ""),
        "cluster-event" => $"{Text.Of(item?["at"])}  {Text.Of(item?["event"]),-12} {Text.Of(item?["address"])}" +
                           (item?["roles"] is JsonArray { Count: > 0 } roles ? $" ({Text.Of(roles)})" : ""),
        _ => Text.Of(item),
    };
}
