using System.Security.Cryptography;
using System.Text;

namespace MicoPortal.Server.Auth;

/// <summary>
/// The one-time secret that creates the first admin when a portal starts outside Development with
/// no admin and no <c>Bootstrap:AdminEmail</c>. It lives in memory and in a file only the portal's own
/// user can read (<see cref="FileName"/> in the data directory, mode 0600), never in the log: logs go
/// to sinks (files, shippers, <c>docker logs</c>) that more people read than the machine's operator,
/// and stdout is such a sink in a container. The file is deleted once the secret is used.
/// </summary>
public sealed class AdminBootstrap
{
    public const string FileName = "bootstrap-secret.txt";

    private readonly Lock gate = new();
    private byte[]? secretDigest;
    private string? secretFile;

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

    /// <summary>Opens the bootstrap and writes the secret to <paramref name="file"/> (owner read/write only).</summary>
    public void Open(string file)
    {
        var secret = RandomNumberGenerator.GetHexString(64, lowercase: true);
        lock (gate)
        {
            secretDigest = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
            secretFile = file;
            WriteSecretFile(file, secret);
        }
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
            if (secretFile is not null)
            {
                File.Delete(secretFile);
            }

            return true;
        }
    }

    /// <summary>Puts back a secret whose use failed (e.g. a weak password), so the operator can try again.</summary>
    public void Reopen(string secret)
    {
        lock (gate)
        {
            secretDigest = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
            if (secretFile is not null)
            {
                WriteSecretFile(secretFile, secret);
            }
        }
    }

    /// <summary>Created with mode 0600 from the start (never readable by others, not even briefly); replaces an old file.</summary>
    private static void WriteSecretFile(string file, string secret)
    {
        File.Delete(file);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(file, Encoding.ASCII, options);
        writer.WriteLine(secret);
    }
}
