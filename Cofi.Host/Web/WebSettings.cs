using System.Net;
using Akka.Configuration;
using Cofi.Actors.Configuration;
using Cofi.Management.Security;

namespace Cofi.Host.Web;

/// <summary>
/// Where the web server listens, which folders a batch submitted over the API may read (from <c>cofi.web</c>), and
/// who may call the API (<see cref="AccessSettings"/>: <c>COFI_TOKENS_FILE</c>, <c>COFI_API_TOKEN</c>).
/// </summary>
public sealed record WebSettings(IPAddress Bind, int Port, IReadOnlyList<string> InputRoots, AccessSettings Access)
{
    /// <summary>HTTPS with this certificate (<c>COFI_TLS_CERT</c>, see <see cref="TlsCertificate"/>); null: plain HTTP.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    public const string BindVariable = "COFI_WEB_BIND";
    public const string PortVariable = "COFI_WEB_PORT";
    public const string InputRootsVariable = "COFI_INPUT_ROOTS";

    /// <exception cref="InvalidConfigurationException">naming the key (or option) of the first invalid value.</exception>
    public static WebSettings FromConfig(Config config, string? bind = null, int? port = null, IEnumerable<string>? extraRoots = null)
    {
        // Options win over environment variables, which win over HOCON.
        var bindFromEnv = Environment.GetEnvironmentVariable(BindVariable) is { Length: > 0 } b ? b : null;
        var bindKey = bind is not null ? "--bind" : bindFromEnv is not null ? BindVariable : "cofi.web.bind";
        var bindText = bind ?? bindFromEnv ?? config.GetString("cofi.web.bind", "127.0.0.1");
        if (!IPAddress.TryParse(bindText, out var address))
            throw new InvalidConfigurationException(bindKey, $"not an IP address: '{bindText}'");
        var portFromEnv = Environment.GetEnvironmentVariable(PortVariable) is { Length: > 0 } p ? p : null;
        var portKey = port is not null ? "--port" : portFromEnv is not null ? PortVariable : "cofi.web.port";
        int portValue;
        if (port is { } fromOption) portValue = fromOption;
        else if (portFromEnv is null) portValue = Read("cofi.web.port", () => config.GetInt("cofi.web.port", 5080));
        else if (!int.TryParse(portFromEnv, out portValue))
            throw new InvalidConfigurationException(PortVariable, $"not a port number: '{portFromEnv}'");
        if (portValue is < 0 or > 65535)
            throw new InvalidConfigurationException(portKey, $"must be between 0 and 65535 (got {portValue})");
        var rootsFromEnv = Environment.GetEnvironmentVariable(InputRootsVariable) is { Length: > 0 } r
            ? r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
        foreach (var root in rootsFromEnv ?? [])
            if (!Path.IsPathFullyQualified(root)) throw new InvalidConfigurationException(InputRootsVariable, $"'{root}' is not an absolute path");
        var roots = (rootsFromEnv ?? (config.HasPath("cofi.web.input-roots") ? Read("cofi.web.input-roots", () => config.GetStringList("cofi.web.input-roots")) : []))
            .Concat(extraRoots ?? [])
            .Select(r => Web.InputRoots.Normalize(r))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new WebSettings(address, portValue, roots, AccessSettings.FromEnvironment(Environment.GetEnvironmentVariable))
        {
            Certificate = TlsCertificate.FromEnvironment(Environment.GetEnvironmentVariable),
        };
    }

    private static T Read<T>(string key, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not InvalidConfigurationException)
        {
            throw new InvalidConfigurationException(key, e.Message);
        }
    }
}
