using Cofi.Cli.Commands;
using Cofi.Cli.Connection;
using Cofi.Cli.Interactive;
using Interrupt = Cofi.Cli.Commands.Interrupt;

namespace Cofi.Cli;

/// <summary>
/// <c>cofi [HOST:PORT] [PALETTE VERB [ARGS]]</c>: with a verb, runs it once and exits with its code; without, opens
/// the interactive prompt on that node. The node's command list decides which palettes and verbs there are.
/// </summary>
public static class CofiCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var (options, words) = GlobalOptions.Extract(args);
            if (options.Version)
            {
                Console.WriteLine($"cofi {typeof(CofiCli).Assembly.GetName().Version}");
                return ExitCodes.Ok;
            }
            string? address = null;
            if (words.Count > 0 && Target.LooksLikeAddress(words[0]))
            {
                address = words[0];
                words.RemoveAt(0);
            }
            address ??= Environment.GetEnvironmentVariable(Target.AddressVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
            if (address is null)
            {
                if (options.Help || words.Count == 0) Console.WriteLine(Usage);
                if (options.Help) return ExitCodes.Ok;
                throw CliException.Usage($"which node? give HOST:PORT first, or set {Target.AddressVariable} ({Usage.Split('\n')[0]})");
            }
            var target = Target.Parse(address, options.TokenFile, Environment.GetEnvironmentVariable);
            using var api = new ApiClient(target);
            using var interrupt = new Interrupt();
            var catalog = await Catalog.LoadAsync(api, interrupt.Token);
            if (words.Count == 0 && !options.Help) return await new Prompt(api, catalog, options, interrupt).RunAsync();
            return await OneShotAsync(api, catalog, options, words, interrupt);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"cofi: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Ok;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"cofi: unexpected error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Unexpected;
        }
    }

    public const string Usage = """
        usage: cofi [HOST:PORT] [PALETTE VERB [ARGS]] [--json] [--reason TEXT] [--yes] [--token-file PATH]
        Without a verb, an interactive prompt on the node. HOST:PORT defaults to $COFI_ADDRESS; the token to $COFI_API_TOKEN.
        cofi HOST:PORT help lists the node's palettes and verbs.
        """;

    public static async Task<int> OneShotAsync(ApiClient api, Catalog catalog, GlobalOptions options, IReadOnlyList<string> words, Interrupt interrupt)
    {
        var output = Console.Out;
        if (words.Count == 0 || words[0] == "help")
        {
            output.Write(words.Count > 1 ? HelpFor(catalog, words.Skip(1).ToList()) : Help.Overview(catalog));
            return ExitCodes.Ok;
        }
        var palette = catalog.Palette(words[0])
                      ?? throw CliException.Usage($"{catalog.Node} has no palette '{words[0]}'; palettes: {string.Join(", ", catalog.Palettes.Select(p => p.Name))}");
        if (words.Count == 1 || (options.Help && words.Count == 1))
        {
            output.Write(Help.Of(palette));
            return options.Help ? ExitCodes.Ok : ExitCodes.Usage;
        }
        var verb = palette.Verb(words[1])
                   ?? throw CliException.Usage($"palette {palette.Name} has no verb '{words[1]}'; verbs: {string.Join(", ", palette.Verbs.Select(v => v.Name))}");
        if (options.Help)
        {
            output.Write(Help.Of(palette, verb));
            return ExitCodes.Ok;
        }
        var invocation = Invocation.Parse(palette, verb, words.Skip(2).ToList());
        return await new VerbRunner(api, options, output, new Terminal()).RunAsync(invocation, interrupt.Token);
    }

    private static string HelpFor(Catalog catalog, IReadOnlyList<string> words)
    {
        var palette = catalog.Palette(words[0]) ?? throw CliException.Usage($"no palette '{words[0]}'; palettes: {string.Join(", ", catalog.Palettes.Select(p => p.Name))}");
        if (words.Count == 1) return Help.Of(palette);
        var verb = palette.Verb(words[1]) ?? throw CliException.Usage($"palette {palette.Name} has no verb '{words[1]}'");
        return Help.Of(palette, verb);
    }
}
