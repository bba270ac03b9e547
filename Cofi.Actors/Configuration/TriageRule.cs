using System.Text.Json;

namespace Cofi.Actors.Configuration;

/// <summary>
/// A triage rule: when the named field of an earlier stage's result matches, the file skips
/// the rest of the pipeline (metadata excepted) with <see cref="Reason"/>.
/// </summary>
public sealed record TriageRule(
    string Name,
    string Stage,
    string Field,
    string? EqualTo,
    IReadOnlyList<string> In,
    IReadOnlyList<string> NotIn,
    string Reason)
{
    public bool Matches(IReadOnlyDictionary<string, string> results)
    {
        if (!results.TryGetValue(Stage, out var json)) return false;
        var value = ReadField(json, Field);
        if (value is null) return false;
        if (EqualTo is not null && string.Equals(value, EqualTo, StringComparison.OrdinalIgnoreCase)) return true;
        if (In.Count > 0 && In.Contains(value, StringComparer.OrdinalIgnoreCase)) return true;
        return NotIn.Count > 0 && !NotIn.Contains(value, StringComparer.OrdinalIgnoreCase);
    }

    private static string? ReadField(string json, string field)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty(field, out var element)) return null;
            return element.ValueKind switch
            {
                JsonValueKind.String => element.GetString(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => element.GetRawText(),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
