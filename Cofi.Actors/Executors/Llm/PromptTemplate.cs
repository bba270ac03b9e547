using System.Text.Json;
using System.Text.RegularExpressions;
using Cofi.Actors.Files;

namespace Cofi.Actors.Executors.Llm;

/// <summary>
/// An LLM stage's prompt: <c>{{stage.field}}</c> is replaced with that field of an earlier stage's result
/// (<c>{{stt.transcript}}</c>, <c>{{lid.language}}</c>), <c>{{stage}}</c> with the whole result, and
/// <c>{{file.name}}</c> / <c>{{file.path}}</c> with the file's. A missing value becomes an empty string.
/// </summary>
public static partial class PromptTemplate
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_.-]+))?\s*\}\}")]
    private static partial Regex Placeholder();

    public static IEnumerable<string> StagesNamedIn(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value).Where(s => s != "file").Distinct();

    public static string Fill(string template, FileWork file) => Placeholder().Replace(template, m =>
    {
        var source = m.Groups[1].Value;
        var field = m.Groups[2].Success ? m.Groups[2].Value : null;
        if (source == "file") return field == "path" ? file.Path : file.Name;
        if (!file.Results.TryGetValue(source, out var json)) return "";
        return field is null ? json : Field(json, field);
    });

    private static string Field(string json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var element = document.RootElement;
            foreach (var part in path.Split('.'))
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element)) return "";
            }
            return element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
