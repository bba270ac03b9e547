namespace Cofi.Cli.Connection;

/// <summary>
/// The node <c>cofi</c> talks to: <c>HOST:PORT</c>, <c>HOST</c> (port 5080, a coordinator's web port) or a URL,
/// given first on the command line or in <c>COFI_ADDRESS</c>; and the bearer token, from <c>--token-file</c> or
/// <c>COFI_API_TOKEN</c>.
/// </summary>
public sealed record Target(Uri BaseAddress, string Display, string? Token)
{
    public const string AddressVariable = "COFI_ADDRESS";
    public const string TokenVariable = "COFI_API_TOKEN";
    public const int DefaultPort = 5080;

    /// <summary>Whether a command-line word names a node rather than a palette.</summary>
    public static bool LooksLikeAddress(string word) =>
        word.Contains(':') || word.Contains('.') || word.Contains('/') || word == "localhost";

    public static Target Parse(string address, string? tokenFile, Func<string, string?> environment)
    {
        var text = address.Trim();
        if (!text.Contains("://")) text = "http://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            throw CliException.Usage($"'{address}' is not a node's address: give HOST:PORT, e.g. 127.0.0.1:5080");
        var port = address.Contains("://") || HasPort(address) ? uri.Port : DefaultPort;
        var baseAddress = new UriBuilder(uri.Scheme, uri.Host, port).Uri;
        return new Target(baseAddress, $"{uri.Host}:{port}", ReadToken(tokenFile, environment));
    }

    private static bool HasPort(string address) => address.LastIndexOf(':') is var colon and > 0 && address[(colon + 1)..].All(char.IsAsciiDigit);

    private static string? ReadToken(string? tokenFile, Func<string, string?> environment)
    {
        if (tokenFile is not null)
        {
            try
            {
                var token = File.ReadAllText(tokenFile).Trim();
                return token.Length > 0 ? token : throw CliException.Usage($"--token-file {tokenFile}: the file is empty");
            }
            catch (IOException e)
            {
                throw CliException.Usage($"--token-file {tokenFile}: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                throw CliException.Usage($"--token-file {tokenFile}: {e.Message}");
            }
        }
        return environment(TokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null;
    }
}
