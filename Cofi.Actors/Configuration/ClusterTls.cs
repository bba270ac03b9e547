using System.Collections;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cofi.Actors.Configuration;

/// <summary>
/// Akka.Remote over TLS: <c>COFI_CLUSTER_TLS_PFX</c> names the cluster's certificate (PKCS#12, with its key;
/// <c>COFI_CLUSTER_TLS_PASSWORD</c> opens it). Every member presents it and accepts only a peer that presents the same
/// certificate (pinned by thumbprint); <c>COFI_CLUSTER_TLS_REQUIRE_PEER=false</c> leaves the connecting side's
/// certificate unasked. Unset: plain TCP.
/// </summary>
public sealed record ClusterTls(X509Certificate2 Certificate, bool RequirePeer)
{
    public const string PfxVariable = "COFI_CLUSTER_TLS_PFX";
    public const string PasswordVariable = "COFI_CLUSTER_TLS_PASSWORD";
    public const string RequirePeerVariable = "COFI_CLUSTER_TLS_REQUIRE_PEER";

    /// <summary>Seeds as operators give them (<c>akka.tcp://</c>), in the scheme of a TLS transport (<c>akka.ssl.tcp://</c>).</summary>
    public static string[] SeedsOver(ClusterTls? tls, IEnumerable<string> seeds) =>
        seeds.Select(s => tls is null ? s : s.Replace("akka.tcp://", "akka.ssl.tcp://")).ToArray();

    /// <exception cref="InvalidConfigurationException">naming the variable whose value cannot be used.</exception>
    public static ClusterTls? FromEnvironment(IDictionary environment)
    {
        string? Read(string key) => environment[key] is string value && value.Trim().Length > 0 ? value.Trim() : null;
        if (Read(PfxVariable) is not { } path) return null;
        var requirePeer = Read(RequirePeerVariable) switch
        {
            null or "true" => true,
            "false" => false,
            var other => throw new InvalidConfigurationException(RequirePeerVariable, $"'{other}' is neither true nor false"),
        };
        if (!File.Exists(path)) throw new InvalidConfigurationException(PfxVariable, $"no such file: {path}");
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, environment[PasswordVariable] as string);
            return certificate.HasPrivateKey ? new ClusterTls(certificate, requirePeer)
                : throw new InvalidConfigurationException(PfxVariable, $"{path} holds no private key");
        }
        catch (CryptographicException e)
        {
            throw new InvalidConfigurationException(PfxVariable, $"cannot load {path} (wrong {PasswordVariable}?): {e.Message}");
        }
    }
}
