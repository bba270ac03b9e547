using System.Globalization;
using System.Text.Json.Nodes;

namespace Cofi.Cli.Rendering;

/// <summary>How one JSON value reads in a terminal cell.</summary>
public static class Text
{
    public static string Of(JsonNode? node) => node switch
    {
        null => "-",
        JsonValue v when v.TryGetValue<string>(out var s) => Time(s) ?? s,
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString("N0", CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString("0.##", CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "yes" : "no",
        JsonArray a when a.All(i => i is JsonValue) => string.Join(",", a.Select(Of)),
        JsonObject o when o.All(p => p.Value is JsonValue) => string.Join(" ", o.Select(p => $"{p.Key}={Of(p.Value)}")),
        _ => node.ToJsonString(),
    };

    /// <summary>Timestamps as UTC to the second: 2026-12-01 12:00:03.</summary>
    private static string? Time(string s) =>
        s.Length >= 19 && s[4] == '-' && s[10] == 'T' && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : null;

    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:00}s" : $"{span.TotalSeconds:0}s";
}
