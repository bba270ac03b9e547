using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Cofi.Management.Security;

/// <summary>
/// The certificate the web and management ports serve HTTPS with: <c>COFI_TLS_CERT</c> names a PEM certificate (with
/// its key in <c>COFI_TLS_KEY</c>, or in the same file) or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>);
/// <c>COFI_TLS_PASSWORD</c> opens a PKCS#12 file or an encrypted PEM key. Unset: plain HTTP.
/// </summary>
public static class TlsCertificate
{
    public const string CertVariable = "COFI_TLS_CERT";
    public const string KeyVariable = "COFI_TLS_KEY";
    public const string PasswordVariable = "COFI_TLS_PASSWORD";

    /// <exception cref="ManagementConfigurationException">naming the variable of a file that cannot be used.</exception>
    public static X509Certificate2? FromEnvironment(Func<string, string?> environment)
    {
        static string? Read(Func<string, string?> environment, string key) => environment(key) is { } v && v.Trim().Length > 0 ? v.Trim() : null;
        if (Read(environment, CertVariable) is not { } cert)
            return Read(environment, KeyVariable) is null ? null
                : throw new ManagementConfigurationException(KeyVariable, $"is set but {CertVariable} is not: give the certificate too");
        return Load(cert, Read(environment, KeyVariable), Read(environment, PasswordVariable));
    }

    /// <exception cref="ManagementConfigurationException">naming the variable of a file that cannot be used.</exception>
    public static X509Certificate2 Load(string certPath, string? keyPath = null, string? password = null)
    {
        if (!File.Exists(certPath)) throw new ManagementConfigurationException(CertVariable, $"no such file: {certPath}");
        if (keyPath is not null && !File.Exists(keyPath)) throw new ManagementConfigurationException(KeyVariable, $"no such file: {keyPath}");
        try
        {
            var pkcs12 = certPath.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || certPath.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
            var certificate = pkcs12 ? X509CertificateLoader.LoadPkcs12FromFile(certPath, password)
                : password is not null ? X509Certificate2.CreateFromEncryptedPemFile(certPath, password, keyPath)
                : X509Certificate2.CreateFromPemFile(certPath, keyPath);
            return certificate.HasPrivateKey ? certificate
                : throw new ManagementConfigurationException(keyPath is null ? CertVariable : KeyVariable, $"{certPath} has no private key: give it in {KeyVariable}");
        }
        catch (CryptographicException e)
        {
            throw new ManagementConfigurationException(keyPath is null ? CertVariable : KeyVariable, $"cannot load {certPath}{(keyPath is null ? "" : $" with {keyPath}")}: {e.Message}");
        }
    }

    /// <summary>Kestrel listens at <paramref name="bind"/>:<paramref name="port"/>, over HTTPS with <paramref name="certificate"/> when there is one.</summary>
    public static IWebHostBuilder ListenWithTls(this IWebHostBuilder web, System.Net.IPAddress bind, int port, X509Certificate2? certificate)
    {
        // The empty and slim builders leave Kestrel's HTTPS out until asked for.
        if (certificate is not null) web.UseKestrelHttpsConfiguration();
        return web.ConfigureKestrel(kestrel => kestrel.Listen(bind, port, listen =>
        {
            if (certificate is not null) listen.UseHttps(certificate);
        }));
    }
}
