using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cofi.Actors.Tests.Support;
using Cofi.Management;
using Cofi.Management.Security;
using Cofi.Web.Tests.Support;

namespace Cofi.Web.Tests.Security;

/// <summary>HTTPS on the web port with a self-signed certificate the test makes, loaded from PEM files as COFI_TLS_CERT and COFI_TLS_KEY name them.</summary>
public sealed class HttpsSpecs : IDisposable
{
    private readonly TempDirectory _dir = new("cofi-tls");

    [Fact]
    public async Task Should_serve_the_API_over_HTTPS_with_the_configured_certificate_and_a_secure_session_cookie()
    {
        var (certPath, keyPath, thumbprint) = SelfSigned();
        await using var web = await CofiWeb.StartAsync(certificate: TlsCertificate.Load(certPath, keyPath));
        web.Address.ShouldStartWith("https://");
        string? served = null;
        using var https = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                served = certificate?.Thumbprint;
                return certificate?.Thumbprint == thumbprint && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
            },
        }) { BaseAddress = new Uri(web.Address) };

        (await https.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        served.ShouldBe(thumbprint);
        using var viewer = new HttpRequestMessage(HttpMethod.Get, "/api/batches") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", CofiWeb.ViewerToken) } };
        (await https.SendAsync(viewer)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var signedIn = await https.PostAsJsonAsync("/api/session", new { token = CofiWeb.ViewerToken });
        signedIn.Headers.GetValues("Set-Cookie").Single().ShouldContain("secure", Case.Insensitive);
        using var plain = new HttpClient { BaseAddress = new Uri(web.Address.Replace("https://", "http://")) };
        await Should.ThrowAsync<HttpRequestException>(() => plain.GetAsync("/health"));
    }

    [Fact]
    public void Should_refuse_a_certificate_without_its_key_naming_the_variable()
    {
        var (certPath, _, _) = SelfSigned();

        var refused = Should.Throw<ManagementConfigurationException>(() => TlsCertificate.FromEnvironment(
            new Dictionary<string, string> { [TlsCertificate.CertVariable] = certPath }.GetValueOrDefault));
        var missingKey = Should.Throw<ManagementConfigurationException>(() => TlsCertificate.FromEnvironment(
            new Dictionary<string, string> { [TlsCertificate.CertVariable] = certPath, [TlsCertificate.KeyVariable] = _dir.File("none.key") }.GetValueOrDefault));

        refused.Key.ShouldBe(TlsCertificate.CertVariable);
        missingKey.Key.ShouldBe(TlsCertificate.KeyVariable);
    }

    /// <summary>A self-signed certificate for 127.0.0.1, written as PEM: the certificate and its PKCS#8 key.</summary>
    private (string Cert, string Key, string Thumbprint) SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(_dir.File("cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(_dir.File("key.pem"), key.ExportPkcs8PrivateKeyPem());
        return (_dir.File("cert.pem"), _dir.File("key.pem"), certificate.Thumbprint);
    }

    public void Dispose() => _dir.Dispose();
}
