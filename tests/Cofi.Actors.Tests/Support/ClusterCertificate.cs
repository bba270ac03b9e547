using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cofi.Actors.Tests.Support;

/// <summary>A cluster certificate as the README's openssl commands make one: self-signed, with its key, in PKCS#12.</summary>
public static class ClusterCertificate
{
    public const string Password = "secret";

    /// <returns><paramref name="path"/>, now holding a new certificate for <paramref name="name"/>.</returns>
    public static string Write(string path, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }
}
