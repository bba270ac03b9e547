using System.CommandLine;
using Cofi.Actors.Configuration;
using Cofi.Management.Security;

namespace Cofi.Host.Commands;

/// <summary><c>token add NAME --role R [--file F]</c>: a new API token in the tokens file, printed once.</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "who or what the token is for (letters, digits, - _ . @); it names the caller in the audit trail" };
        var role = new Option<string>("--role") { Description = $"what the token may do: {Roles.Choices}", Required = true };
        var file = new Option<string?>("--file") { Description = $"the tokens file (default: ${TokenFile.Variable}); created, readable by its owner only, when missing" };
        var add = new Command("add", "Add a token with a role to the tokens file and print it once: only its SHA-256 is kept.") { name, role, file };
        add.SetAction(result => CommandHost.RunAsync(() =>
        {
            if (!Roles.TryParse(result.GetValue(role)!, out var parsed))
                throw new InvalidConfigurationException("--role", $"'{result.GetValue(role)}' is not a role: {Roles.Choices}");
            var path = result.GetValue(file) ?? (Environment.GetEnvironmentVariable(TokenFile.Variable) is { Length: > 0 } fromEnv ? fromEnv
                : throw new InvalidConfigurationException("--file", $"give the tokens file with --file or {TokenFile.Variable}"));
            var token = TokenFile.Add(path, result.GetValue(name)!, parsed);
            Console.Error.WriteLine($"added '{result.GetValue(name)}' ({parsed.Name()}) to {Path.GetFullPath(path)}; the token, shown only now:");
            Console.WriteLine(token);
            return Task.FromResult(0);
        }));
        return new Command("token", "Manage the API tokens of COFI_TOKENS_FILE.") { add };
    }
}
