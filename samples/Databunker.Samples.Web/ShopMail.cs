using System.Net;
using Databunker.Core.AspNetCore;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Databunker.Samples.Web;

/// <summary>
/// The shop's mail: every mail of the vault (the expiration's links, sign-in codes, request receipts) goes out through
/// MailKit to the SMTP server in Shop:Smtp (Host, Port (587), User and Password when it asks for a login, From). TLS is
/// required unless the server is on this machine: the mails carry sign-in codes and links that delete an account.
/// Without a server, a mail is written as an .eml file into
/// the shop's data folder (outbox/), which any mail program opens, so that the sample runs on a machine with no mail
/// server; those files hold addresses and codes, so they are for trying the sample only, and go with its data folder.
/// </summary>
internal sealed class ShopMail(IConfiguration configuration, TimeProvider time, ILogger<ShopMail> logger) : IDatabunkerMailSender
{
    public async Task SendAsync(DatabunkerMail mail, CancellationToken cancellationToken)
    {
        var smtp = configuration.GetSection("Shop:Smtp");
        var message = new MimeMessage { Date = time.GetUtcNow() };
        message.From.Add(MailboxAddress.Parse(smtp["From"] ?? "Example Shop <privacy@shop.example>"));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Body = new BodyBuilder { TextBody = mail.TextBody, HtmlBody = mail.HtmlBody }.ToMessageBody();
        message.Body.Headers.Add(HeaderId.ContentLanguage, mail.Culture.Name);   // a Content-* header belongs to the body

        if (smtp["Host"] is { Length: > 0 } host)
        {
            var port = smtp.GetValue("Port", 587);
            var local = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
            var security = port == 465 ? SecureSocketOptions.SslOnConnect : local ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.StartTls;
            using var client = new SmtpClient();
            await client.ConnectAsync(host, port, security, cancellationToken);
            if (smtp["User"] is { Length: > 0 } user)
            {
                await client.AuthenticateAsync(user, smtp["Password"] ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            logger.LogInformation("Sent a {Kind} mail.", mail.Kind);   // the kind only: the address and the bodies are personal data
            return;
        }

        var outbox = Path.Combine(configuration["Shop:DataFolder"]!, "outbox");
        Directory.CreateDirectory(outbox);
        var file = Path.Combine(outbox, $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{mail.Kind}-{Guid.NewGuid():N}.eml");
        await message.WriteToAsync(file, cancellationToken);
        logger.LogInformation("Wrote a {Kind} mail to {File}.", mail.Kind, file);
    }
}
