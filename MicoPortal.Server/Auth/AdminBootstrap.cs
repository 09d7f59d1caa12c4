using System.Security.Cryptography;
using System.Text;

namespace MicoPortal.Server.Auth;

/// <summary>
/// The one-time secret that creates the first admin when a portal starts outside Development with
/// no admin and no <c>Bootstrap:AdminEmail</c>. It lives only in memory and in the start-up log
/// (which only the operator of the machine reads), and closes for good once used.
/// </summary>
public sealed class AdminBootstrap
{
    private readonly Lock gate = new();
    private byte[]? secretDigest;

    public bool IsOpen
    {
        get
        {
            lock (gate)
            {
                return secretDigest is not null;
            }
        }
    }

    /// <summary>Opens the bootstrap and returns the secret to print.</summary>
    public string Open()
    {
        var secret = RandomNumberGenerator.GetHexString(64, lowercase: true);
        lock (gate)
        {
            secretDigest = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        }

        return secret;
    }

    /// <summary>True once, for the right secret; the bootstrap is closed afterwards.</summary>
    public bool TryUse(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        lock (gate)
        {
            if (secretDigest is null || !CryptographicOperations.FixedTimeEquals(secretDigest, presented))
            {
                return false;
            }

            secretDigest = null;
            return true;
        }
    }

    /// <summary>Puts back a secret whose use failed (e.g. a weak password), so the operator can try again.</summary>
    public void Reopen(string secret)
    {
        lock (gate)
        {
            secretDigest = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        }
    }
}
