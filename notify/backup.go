package notify

import (
	"fmt"
	"time"

	"github.com/handwash/handwash"
)

// BackupJob is what a backup notice says about one backup job.
type BackupJob struct {
	Name string
	// Every is how often it should succeed.
	Every time.Duration
	// LastSuccess is its last success, zero when it never had one.
	LastSuccess time.Time
	// At is when it failed, or when it became overdue.
	At time.Time
	// Message is what the backup software said with its failure.
	Message string
}

// BackupFailedMessage tells people that a backup job reported a failure.
func BackupFailedMessage(org string, j BackupJob, link string) Message {
	body := fmt.Sprintf("The backup “%s” at %s reported a failure on %s.", j.Name, org, when(j.At))
	if j.Message != "" {
		body += "\n\nIt said: " + clipLine(j.Message)
	}
	body += "\n\n" + backupMatters
	return Message{
		Kind: KindBackupFailed, Org: org, Time: j.At, Link: link,
		Subject: "Backup failed: " + clipLine(j.Name),
		Body:    body,
		Next:    backupNext,
	}
}

// BackupOverdueMessage tells people that a backup job has not reported a
// success in time.
func BackupOverdueMessage(org string, j BackupJob, link string) Message {
	body := fmt.Sprintf("The backup “%s” at %s should succeed %s, and has not reported a success since ", j.Name, org, handwash.EveryWords(j.Every))
	if j.LastSuccess.IsZero() {
		body = fmt.Sprintf("The backup “%s” at %s has never reported a success; it was due by %s.", j.Name, org, when(j.At))
	} else {
		body += when(j.LastSuccess) + "."
	}
	return Message{
		Kind: KindBackupOverdue, Org: org, Time: j.At, Link: link,
		Subject: "Backup overdue: " + clipLine(j.Name),
		Body:    body + "\n\n" + backupMatters,
		Next:    backupNext,
	}
}

const backupMatters = "Until it works again, anything written since the last good backup (care notes, rotas, records) would be lost if a disk failed or ransomware struck."

const backupNext = "Open the backup software and look at its last run: it says why it failed or did not run (a full or missing drive, an expired password, a computer switched off). Fix that and run the backup by hand; it reports to Handwash by itself." +
	"\n\nIf the backup was moved to other software, give the new software the job's address, or remove the job in Handwash."
