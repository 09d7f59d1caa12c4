using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace MicoPortal.Server.Audit;

/// <summary>
/// The hash chain's arithmetic, shared by the sealer and the verifier so they cannot drift apart.
/// The canonical form is a JSON array of every field but the hashes, in a fixed order, with times
/// as unix milliseconds (the stored precision): editing any field, renumbering or moving an entry
/// changes its hash, and every later entry names the hash before it.
/// </summary>
public static class AuditChain
{
    /// <summary>The <see cref="AuditEntry.PreviousHash"/> of entry 1.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string HashOf(AuditEntry entry, long sequence, string previousHash)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(previousHash);
            json.WriteNumberValue(sequence);
            json.WriteNumberValue(entry.Id);
            json.WriteNumberValue(entry.At.ToUnixTimeMilliseconds());
            WriteNullable(json, entry.Actor);
            json.WriteStringValue(entry.Action);
            if (entry.OrderId is { } orderId)
            {
                json.WriteNumberValue(orderId);
            }
            else
            {
                json.WriteNullValue();
            }

            json.WriteStringValue(entry.Details);
            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The line written to the application log for a checkpoint: keep these outside the database.</summary>
    public static string CheckpointLine(long sequence, string hash) =>
        string.Create(CultureInfo.InvariantCulture, $"audit-checkpoint sequence={sequence} hash={hash}");

    private static void WriteNullable(Utf8JsonWriter json, string? value)
    {
        if (value is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStringValue(value);
        }
    }
}
