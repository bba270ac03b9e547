using System.Globalization;
using System.Text.Json.Nodes;
using Cofi.Cli.Connection;
using Cofi.Host.Commands;

namespace Cofi.Cli.Commands;

/// <summary>One verb with the values the operator gave it, read against the verb's arguments and switches.</summary>
public sealed class Invocation
{
    private Invocation(Palette palette, Verb verb, Dictionary<Parameter, JsonNode?> values)
    {
        Palette = palette;
        Verb = verb;
        Values = values;
    }

    public Palette Palette { get; }

    public Verb Verb { get; }

    public IReadOnlyDictionary<Parameter, JsonNode?> Values { get; }

    public string Name => $"{Palette.Name} {Verb.Name}";

    /// <summary>A client-side switch's value (e.g. <c>--output</c>), as text.</summary>
    public string? Client(string name) => Values.FirstOrDefault(v => v.Key.Name == name && v.Key.In == "client").Value?.ToString();

    public string? Text(string name) => Values.FirstOrDefault(v => v.Key.Name == name).Value?.ToString();

    public static Invocation Parse(Palette palette, Verb verb, IReadOnlyList<string> words)
    {
        var name = $"{palette.Name} {verb.Name}";
        var values = new Dictionary<Parameter, JsonNode?>();
        var positional = 0;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            var isNumber = double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            if (word.StartsWith('-') && word.Length > 1 && !isNumber)
            {
                var (key, inline) = word.StartsWith("--", StringComparison.Ordinal) && word.IndexOf('=') is var eq and > 2
                    ? (word[..eq], word[(eq + 1)..])
                    : (word, null);
                var found = verb.Switches.FirstOrDefault(s => key == "--" + s.Name || (s.Short is { } abbreviation && key == "-" + abbreviation))
                            ?? throw CliException.Usage($"{name}: unknown switch {key} ({Help.Usage(palette, verb)})");
                if (found.IsFlag)
                {
                    values[found] = JsonValue.Create(true);
                    continue;
                }
                var raw = inline ?? (i + 1 < words.Count ? words[++i] : throw CliException.Usage($"{name}: {key} needs a value ({found.Placeholder})"));
                var value = Convert(name, found, raw);
                if (found.Type == "map")
                {
                    var map = values.GetValueOrDefault(found) as JsonObject ?? new JsonObject();
                    foreach (var (k, v) in (JsonObject)value!) map[k] = v?.DeepClone();
                    values[found] = map;
                }
                else values[found] = value;
                continue;
            }
            if (positional >= verb.Arguments.Count) throw CliException.Usage($"{name}: unexpected '{word}' ({Help.Usage(palette, verb)})");
            var argument = verb.Arguments[positional++];
            values[argument] = Convert(name, argument, word);
        }
        var missing = verb.Arguments.Where(a => a.Required && !values.ContainsKey(a)).ToList();
        if (missing.Count > 0)
            throw CliException.Usage($"{name}: missing {string.Join(", ", missing.Select(m => m.Placeholder))} ({Help.Usage(palette, verb)})");
        foreach (var optional in verb.Switches.Where(s => s.Default is not null && !values.ContainsKey(s)))
            values[optional] = Convert(name, optional, optional.Default!);
        return new Invocation(palette, verb, values);
    }

    private static JsonNode? Convert(string verb, Parameter p, string raw)
    {
        switch (p.Type)
        {
            case "int":
                return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                    ? JsonValue.Create(number)
                    : throw CliException.Usage($"{verb}: {p.Name} must be a whole number (got '{raw}')");
            case "number":
                return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
                    ? JsonValue.Create(real)
                    : throw CliException.Usage($"{verb}: {p.Name} must be a number (got '{raw}')");
            case "duration":
                return Duration.TryParse(raw, out var duration)
                    ? JsonValue.Create((long)duration.TotalMilliseconds)
                    : throw CliException.Usage($"{verb}: {p.Name}: '{raw}' is not {Duration.Hint}");
            case "choice":
                return p.Choices is { } choices && !choices.Contains(raw)
                    ? throw CliException.Usage($"{verb}: {p.Name} must be one of {string.Join(", ", choices)} (got '{raw}')")
                    : JsonValue.Create(raw);
            case "map":
                var eq = raw.IndexOf('=');
                return eq <= 0
                    ? throw CliException.Usage($"{verb}: {p.Name} must be KEY=VALUE (got '{raw}')")
                    : new JsonObject { [raw[..eq]] = raw[(eq + 1)..] };
            default:
                return JsonValue.Create(raw);
        }
    }

    /// <summary>The request path with path values put in and query values after it.</summary>
    public string PathAndQuery(IEnumerable<(string Name, string Value)>? extraQuery = null)
    {
        var path = Verb.Path;
        var query = new List<string>();
        foreach (var (p, value) in Values)
        {
            if (value is null) continue;
            var text = value.ToString();
            if (p.In == "path") path = path.Replace("{" + p.Wire + "}", Uri.EscapeDataString(text));
            else if (p.In == "query") query.Add($"{Uri.EscapeDataString(p.Wire)}={Uri.EscapeDataString(text)}");
        }
        query.AddRange((extraQuery ?? []).Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(q.Value)}"));
        return query.Count == 0 ? path : $"{path}?{string.Join("&", query)}";
    }

    /// <summary>The JSON body: body values, and the reason for a mutation.</summary>
    public JsonObject? Body(string? reason, bool dryRun = false)
    {
        var body = new JsonObject();
        foreach (var (p, value) in Values.Where(v => v.Key.In == "body" && v.Value is not null)) body[p.Wire] = value!.DeepClone();
        if (Verb.Mutation && reason is not null) body["reason"] = reason;
        if (dryRun) body["dryRun"] = true;
        return Verb.Method == "GET" ? null : body;
    }
}
