using System.Text.Json.Nodes;

namespace Cofi.Cli.Connection;

/// <summary>The node's command list (<c>GET /api/commands</c>): palettes of verbs, each saying how it is carried out.</summary>
public sealed record Catalog(string Node, IReadOnlyList<string> Roles, IReadOnlyList<Palette> Palettes)
{
    public Palette? Palette(string name) => Palettes.FirstOrDefault(p => p.Name == name);

    public static async Task<Catalog> LoadAsync(ApiClient api, CancellationToken cancel)
    {
        var node = await api.GetJsonAsync("/api/commands", cancel) as JsonObject
                   ?? throw new CliException(ExitCodes.Unexpected, $"{api.Target.Display} answered no command list: is it a Cofi node?");
        return new Catalog(Text(node, "node") ?? api.Target.Display, Strings(node["roles"]),
            (node["palettes"] as JsonArray ?? []).OfType<JsonObject>().Select(ReadPalette).ToList());
    }

    private static Palette ReadPalette(JsonObject p) => new(Text(p, "name")!, Text(p, "description") ?? "", Text(p, "role"),
        (p["verbs"] as JsonArray ?? []).OfType<JsonObject>().Select(v => new Verb(
            Text(v, "name")!, Text(v, "description") ?? "", Text(v, "method") ?? "GET", Text(v, "path")!,
            Parameters(v["arguments"]), Parameters(v["switches"]), Text(v, "output") ?? "document", Text(v, "view") ?? "fields",
            v["columns"] is JsonArray columns ? Strings(columns) : null, v["mutation"]?.GetValue<bool>() ?? false, v["confirm"]?.GetValue<bool>() ?? false)).ToList());

    private static IReadOnlyList<Parameter> Parameters(JsonNode? node) => (node as JsonArray ?? []).OfType<JsonObject>().Select(p => new Parameter(
        Text(p, "name")!, Text(p, "description") ?? "", Text(p, "type") ?? "string", Text(p, "in") ?? "query", p["required"]?.GetValue<bool>() ?? false,
        Text(p, "completion"), Text(p, "short"), p["choices"] is JsonArray choices ? Strings(choices) : null, Text(p, "default"), Text(p, "field"))).ToList();

    private static string? Text(JsonObject o, string key) => o[key] is JsonValue v ? v.ToString() : null;

    private static IReadOnlyList<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(n => n?.ToString() ?? "").ToList();
}

public sealed record Palette(string Name, string Description, string? Role, IReadOnlyList<Verb> Verbs)
{
    public Verb? Verb(string name) => Verbs.FirstOrDefault(v => v.Name == name);
}

public sealed record Verb(string Name, string Description, string Method, string Path, IReadOnlyList<Parameter> Arguments, IReadOnlyList<Parameter> Switches,
    string Output, string View, IReadOnlyList<string>? Columns, bool Mutation, bool Confirm);

public sealed record Parameter(string Name, string Description, string Type, string In, bool Required, string? Completion, string? Short,
    IReadOnlyList<string>? Choices, string? Default, string? Field)
{
    public bool IsFlag => Type == "flag";

    /// <summary>What it is sent as: its field name, or its name.</summary>
    public string Wire => Field ?? Name;

    public string Placeholder => Type switch
    {
        "map" => "K=V",
        "choice" when Choices is { Count: > 0 } c => string.Join("|", c),
        _ => Name.ToUpperInvariant(),
    };
}
