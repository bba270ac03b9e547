using Cofi.Cli.Commands;
using Cofi.Cli.Connection;

namespace Cofi.Cli.Interactive;

/// <summary>
/// What Tab offers at the cursor: palettes, then verbs, then the verb's switches, or the values the node knows for
/// the argument or switch there (batch ids, node and machine names, stages, member addresses).
/// </summary>
public sealed class Completer(ApiClient api, Catalog catalog)
{
    public static readonly IReadOnlyList<string> BuiltIns = ["help", "history", "clear", "exit", "quit"];

    private static readonly string[] GlobalSwitches = ["--json", "--reason", "--yes"];

    public async Task<IReadOnlyList<string>> CandidatesAsync(string line, CancellationToken cancel)
    {
        var words = Words.Split(line);
        var current = line.Length == 0 || char.IsWhiteSpace(line[^1]) ? "" : words[^1];
        var before = current.Length == 0 ? words : words.Take(words.Count - 1).ToList();
        var all = await AllAsync(before, current, cancel);
        return all.Where(c => c.StartsWith(current, StringComparison.Ordinal)).Distinct().ToList();
    }

    private async Task<IEnumerable<string>> AllAsync(IReadOnlyList<string> before, string current, CancellationToken cancel)
    {
        if (before.Count == 0) return catalog.Palettes.Select(p => p.Name).Concat(BuiltIns);
        if (before[0] == "help")
            return before.Count == 1 ? catalog.Palettes.Select(p => p.Name)
                : before.Count == 2 ? catalog.Palette(before[1])?.Verbs.Select(v => v.Name) ?? [] : [];
        if (catalog.Palette(before[0]) is not { } palette) return [];
        if (before.Count == 1) return palette.Verbs.Select(v => v.Name);
        if (palette.Verb(before[1]) is not { } verb) return [];
        var rest = before.Skip(2).ToList();
        if (rest.Count > 0 && verb.Switches.FirstOrDefault(s => rest[^1] == "--" + s.Name || (s.Short is { } a && rest[^1] == "-" + a)) is { IsFlag: false } open)
            return await ValuesAsync(open, cancel);
        if (current.StartsWith('-'))
            return verb.Switches.Select(s => "--" + s.Name).Concat(GlobalSwitches.Where(g => verb.Mutation || g == "--json")).Append("--help");
        var positional = 0;
        for (var i = 0; i < rest.Count; i++)
        {
            if (rest[i].StartsWith("--", StringComparison.Ordinal) || (rest[i].StartsWith('-') && !long.TryParse(rest[i], out _)))
            {
                if (verb.Switches.FirstOrDefault(s => rest[i] == "--" + s.Name || (s.Short is { } a && rest[i] == "-" + a)) is { IsFlag: false }) i++;
                else if (rest[i] is "--reason" or "--token-file") i++;
                continue;
            }
            positional++;
        }
        return positional < verb.Arguments.Count ? await ValuesAsync(verb.Arguments[positional], cancel) : [];
    }

    private async Task<IEnumerable<string>> ValuesAsync(Parameter parameter, CancellationToken cancel)
    {
        if (parameter.Choices is { } choices) return choices;
        if (parameter.Completion is not { } kind) return [];
        try
        {
            var values = await api.GetJsonAsync($"/api/completions/{Uri.EscapeDataString(kind)}", cancel);
            return values?.AsArray().Select(v => v?.ToString() ?? "").Where(v => v.Length > 0).ToList() ?? [];
        }
        catch (CliException)
        {
            return [];
        }
    }
}
