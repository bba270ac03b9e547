using System.Globalization;
using System.Net;

namespace Cofi.Management;

/// <summary>
/// Where a process serves /health, /ready and /metrics: COFI_MANAGEMENT_BIND (an IP address, default 127.0.0.1) and
/// COFI_MANAGEMENT_PORT (1-65535, or 0 for any free port). Processes without a web port of their own (the Lighthouse,
/// GPU nodes) listen there; coordinators serve the same endpoints on their web port.
/// </summary>
public sealed record ManagementSettings(IPAddress Bind, int Port)
{
    /// <summary>HTTPS with this certificate (<see cref="Security.TlsCertificate"/>); null: plain HTTP.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    /// <summary>The port Petabridge's pbm uses for the same purpose.</summary>
    public const int DefaultPort = 9110;

    public const string PortVariable = "COFI_MANAGEMENT_PORT";
    public const string BindVariable = "COFI_MANAGEMENT_BIND";

    public static ManagementSettings FromEnvironment(Func<string, string?> environment, int defaultPort)
    {
        string? Read(string key) => environment(key) is { } value && value.Trim().Length > 0 ? value.Trim() : null;

        var port = defaultPort;
        if (Read(PortVariable) is { } rawPort
            && (!int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535))
            throw new ManagementConfigurationException(PortVariable, $"'{rawPort}' is not a TCP port (0-65535)");
        var bind = IPAddress.Loopback;
        if (Read(BindVariable) is { } rawBind && !TryParseAddress(rawBind, out bind))
            throw new ManagementConfigurationException(BindVariable, $"'{rawBind}' is not an IP address");
        return new ManagementSettings(bind, port) { Certificate = Security.TlsCertificate.FromEnvironment(environment) };
    }

    /// <summary>
    /// A full IPv4 (four parts) or IPv6 address: <see cref="IPAddress.TryParse(string, out IPAddress)"/> alone would
    /// also take '10' as 0.0.0.10.
    /// </summary>
    private static bool TryParseAddress(string raw, out IPAddress address) =>
        IPAddress.TryParse(raw, out address!) && (raw.Contains(':') || raw.Count(c => c == '.') == 3);
}
