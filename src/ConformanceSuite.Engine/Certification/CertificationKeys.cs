using System.Security.Cryptography;

namespace ConformanceSuite.Engine.Certification;

/// <summary>
/// The keys of certification packages: ECDSA on NIST P-256 with SHA-256 (.NET 10 has no Ed25519 of its
/// own). Keys are read from PEM: a private key as PKCS#8 (<c>PRIVATE KEY</c>) or SEC1 (<c>EC PRIVATE KEY</c>),
/// a public key as SubjectPublicKeyInfo (<c>PUBLIC KEY</c>). Messages name where a key came from, never
/// what it holds.
/// </summary>
public static class CertificationKeys
{
    /// <summary>The signature algorithm, as the manifest names it.</summary>
    public const string Algorithm = "ECDSA-P256-SHA256";

    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>A PEM key file is a few hundred bytes; anything far larger is not one.</summary>
    private const long MaxPemBytes = 64 * 1024;

    /// <summary>Reads a PEM file's text; an unreadable or oversized file is a configuration error naming it.</summary>
    public static string ReadPemFile(string path, string what)
    {
        try
        {
            if (InputFile.NotAFile(path) is { } problem)
            {
                throw new ConfigurationException($"the {what} file {path} {problem}");
            }

            var info = new FileInfo(path);

            return info.Length > MaxPemBytes
                ? throw new ConfigurationException($"the {what} file {path} is not a PEM key (it is {info.Length} bytes long)")
                : InputFile.ReadAllText(path, $"{what} file");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationException($"cannot read the {what} file {path}: {ex.Message}");
        }
    }

    /// <summary>The signing key: an EC P-256 private key.</summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="source">Where it came from, for messages (a file name, an environment variable's name).</param>
    /// <exception cref="ConfigurationException">No key, a public key only, another algorithm or curve, an encrypted key.</exception>
    public static ECDsa ImportSigningKey(string pem, string source)
    {
        var key = Import(pem, source, "signing key");
        bool isPrivate;
        try
        {
            var parameters = key.ExportParameters(includePrivateParameters: true);
            isPrivate = parameters.D is { Length: > 0 };
            CryptographicOperations.ZeroMemory(parameters.D);
        }
        catch (CryptographicException)
        {
            isPrivate = false;
        }

        if (!isPrivate)
        {
            key.Dispose();
            throw new ConfigurationException($"the signing key {source} is a public key; signing needs the private key (PEM 'PRIVATE KEY' or 'EC PRIVATE KEY')");
        }

        return key;
    }

    /// <summary>
    /// A verification key: an EC P-256 public key. A private key is refused: it is the signer's alone, and one handed to
    /// whoever verifies (or kept next to the packages) lets them sign packages of their own.
    /// </summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <exception cref="ConfigurationException">No key, a private key, another algorithm or curve.</exception>
    public static ECDsa ImportPublicKey(string pem, string source)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new ConfigurationException($"the public key {source} is a private key; verifying needs the signer's public key alone "
                + "(PEM 'PUBLIC KEY': openssl pkey -in PRIVATE.pem -pubout), and the private key stays with the signer");
        }

        using var key = Import(pem, source, "public key");
        var publicOnly = ECDsa.Create();
        publicOnly.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return publicOnly;
    }

    /// <summary>A key's fingerprint: the SHA-256 of its DER SubjectPublicKeyInfo, lowercase hex (as <c>openssl pkey -pubout -outform DER | sha256sum</c> prints it).</summary>
    public static string Fingerprint(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Signs the manifest's exact bytes: an ASN.1 DER ECDSA signature, as <c>openssl dgst -sha256 -sign</c> writes it.</summary>
    public static byte[] Sign(ECDsa key, byte[] manifest)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Whether a DER ECDSA signature over the manifest's bytes holds for the key; a malformed signature does not.</summary>
    public static bool Verify(ECDsa key, byte[] manifest, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            return key.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static ECDsa Import(string pem, string source, string what)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException) when (pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            key.Dispose();
            throw new ConfigurationException($"the {what} {source} is encrypted; give it unencrypted (openssl pkcs8 -topk8 -nocrypt), kept in a file or variable only the job can read");
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            // ArgumentException: no PEM key at all; CryptographicException: a PEM key of another algorithm (RSA, Ed25519...).
            key.Dispose();
            throw new ConfigurationException(
                $"the {what} {source} is not an EC P-256 key in PEM form (expected -----BEGIN {(what == "public key" ? "PUBLIC KEY" : "PRIVATE KEY")}----- of an ECDSA P-256 key)");
        }

        var curve = key.ExportParameters(includePrivateParameters: false).Curve;
        if (curve.Oid?.Value != P256Oid && curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1"))
        {
            key.Dispose();
            throw new ConfigurationException(
                $"the {what} {source} is an EC key on curve {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "(explicit parameters)"}; certification packages are signed with ECDSA P-256 (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)");
        }

        return key;
    }
}
