using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace MicoPortal.Tests.Alerts;

/// <summary>
/// Just enough of an SMTP server on a free loopback port for a real MailKit client to deliver to:
/// 220 greeting, EHLO/HELO, MAIL, RCPT, DATA up to the lone dot, QUIT. No TLS, no extensions, no sign-in.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SmtpTestServer()
    {
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<SmtpDelivery> Deliveries { get; } = new();

    private async Task AcceptAsync(CancellationToken stop)
    {
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(stop);
                sessions.Add(ServeAsync(client, stop));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(sessions);
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stop)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 smtp.test ESMTP ready");
        string? from = null;
        var to = new List<string>();
        try
        {
            while (await reader.ReadLineAsync(stop) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO" or "HELO":
                        await writer.WriteLineAsync("250 smtp.test");
                        break;
                    case "MAIL":
                        from = Address(line);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(stop) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(data.ToString())), stop);
                        Deliveries.Enqueue(new SmtpDelivery(from, [.. to], message));
                        to.Clear();
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "RSET" or "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
    }

    private static string Address(string line) => line[(line.IndexOf('<') + 1)..line.IndexOf('>')];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

public sealed record SmtpDelivery(string? From, IReadOnlyList<string> To, MimeMessage Message);
