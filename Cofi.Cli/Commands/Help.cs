using System.Text;
using Cofi.Cli.Connection;

namespace Cofi.Cli.Commands;

/// <summary>What the node's palettes and verbs take, from its command list.</summary>
public static class Help
{
    public static string Usage(Palette palette, Verb verb)
    {
        var words = new List<string> { palette.Name, verb.Name };
        words.AddRange(verb.Arguments.Select(a => a.Required ? a.Placeholder : $"[{a.Placeholder}]"));
        words.AddRange(verb.Switches.Select(s => s.IsFlag ? $"[--{s.Name}]" : $"[--{s.Name} {s.Placeholder}]"));
        if (verb.Mutation) words.Add("[--reason TEXT]");
        if (verb.Confirm) words.Add("[--yes]");
        return "usage: " + string.Join(" ", words);
    }

    public static string Overview(Catalog catalog)
    {
        var text = new StringBuilder($"{catalog.Node}: palettes and verbs (help PALETTE, or PALETTE VERB --help, for more)\n");
        foreach (var palette in catalog.Palettes)
        {
            text.Append($"\n{palette.Name}  {palette.Description}\n");
            var width = palette.Verbs.Max(v => v.Name.Length);
            foreach (var verb in palette.Verbs) text.Append($"  {verb.Name.PadRight(width)}  {verb.Description}\n");
        }
        text.Append("\nevery verb: ").Append(string.Join(", ", GlobalOptions.Described.Select(o => o.Name))).Append('\n');
        return text.ToString();
    }

    public static string Of(Palette palette)
    {
        var text = new StringBuilder($"{palette.Name}: {palette.Description}" + (palette.Role is null ? "" : $" (nodes with role {palette.Role})") + "\n");
        foreach (var verb in palette.Verbs) text.Append($"\n  {Usage(palette, verb)[7..]}\n      {verb.Description}\n");
        return text.ToString();
    }

    public static string Of(Palette palette, Verb verb)
    {
        var text = new StringBuilder($"{Usage(palette, verb)}\n{verb.Description}\n");
        foreach (var p in verb.Arguments.Concat(verb.Switches))
        {
            var name = verb.Arguments.Contains(p) ? p.Placeholder : $"--{p.Name}" + (p.Short is null ? "" : $", -{p.Short}");
            text.Append($"  {name,-20} {p.Description}" + (p.Default is null ? "" : $" (default {p.Default})") + "\n");
        }
        foreach (var (name, description) in GlobalOptions.Described.Where(o => verb.Mutation || o.Name is not ("--reason TEXT" or "--yes")))
            text.Append($"  {name,-20} {description}\n");
        return text.ToString();
    }
}
