namespace MicoPortal.Server.Notifications;

/// <summary>One SMS to send. <see cref="IdempotencyKey"/> is the same on every try of one notification.</summary>
public sealed record SmsMessage(string IdempotencyKey, string To, string Text);

/// <summary>The gateway took the message; its own id for it.</summary>
public sealed record SmsReceipt(string MessageId);

/// <summary>
/// The SMS gateway customer notifications go through: the sandbox sink in development, Twilio in
/// production (<c>Notifications:Gateway</c>). A send either returns a receipt or throws
/// <see cref="SmsGatewayException"/>; anything else thrown (timeouts, dropped connections) counts as transient.
/// </summary>
public interface ISmsGateway
{
    string Name { get; }

    Task<SmsReceipt> SendAsync(SmsMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Before a message is sent again after a try whose outcome is not known: the message the gateway already
    /// took for it (created <paramref name="since"/> or later), or null. A gateway that honours
    /// <see cref="SmsMessage.IdempotencyKey"/> (the sandbox sink) needs no look-up: the default answers null.
    /// Throws like <see cref="SendAsync"/> when the gateway cannot tell.
    /// </summary>
    Task<SmsReceipt?> FindSentAsync(SmsMessage message, DateTimeOffset since, CancellationToken cancellationToken) => Task.FromResult<SmsReceipt?>(null);
}

/// <summary>A gateway's refusal. <see cref="Permanent"/>: trying again cannot help (invalid number, blocked recipient).</summary>
public sealed class SmsGatewayException(string message, bool permanent, TimeSpan? retryAfter = null) : Exception(message)
{
    public bool Permanent { get; } = permanent;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
