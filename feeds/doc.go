// Package feeds keeps a local cache of the public data Handwash judges
// with: CISA's Known Exploited Vulnerabilities catalogue (KEV),
// endoflife.date's support dates (EOL), and OSV advisories for the Linux
// distributions devices run (one zip per ecosystem: Debian, Ubuntu,
// Alpine, Red Hat, Rocky Linux, AlmaLinux).
//
// A Cache is a folder: `handwash check` uses the user's cache folder
// (DefaultDir: os.UserCacheDir()/handwash/feeds), the server its data
// folder (ServerDir: <data>/feeds). For each feed it holds the validated
// file (kev.json, eol.json, osv-Debian.zip, osv-Red_Hat.zip, ...) and a
// metadata file beside it (kev.meta.json, ...) saying where the data came
// from, when it was fetched and last checked, the server's ETag and
// Last-Modified, the data's own version, how many records it holds and the
// SHA-256 of the stored file. Beside each OSV zip is its package index
// (osv-Debian.index, vuln.PackageIndex), made while the zip is validated:
// what matching needs of each record (ID, CVEs, ranges, versions), filed
// by package, so that `handwash check` reads its own packages' lines of
// that file and no record of the zip (TallyOSV); the server reads every
// record of the zip (LoadOSV).
//
// Update downloads feeds with conditional requests (If-None-Match,
// If-Modified-Since): a 304 keeps the file and records that it was
// checked; a 200 is written to a temporary file in the cache folder under
// a size limit, validated in full (vuln.ParseKEV, vuln.ParseEOLAPI, every
// OSV record through vuln.ParseOSV and of the ecosystem asked for), and
// only then renamed over the old file, with the metadata renamed into place
// last. Import does the same for files brought in by hand on a computer
// without internet access. A file that fails is removed and the previous
// file and metadata stay exactly as they were; the error names the feed,
// says what was wrong and what to do.
//
// # Limits
//
// A KEV catalogue may be at most vuln.MaxKEVBytes (32 MiB; the real one is
// about 1.3 MB), the EOL document vuln.MaxEOLBytes (64 MiB; about 3 MB),
// and an OSV zip MaxOSVBytes (2 GiB; Debian's all.zip was several hundred
// MB in 2025 and grows), with at most MaxOSVRecords records of at most
// vuln.MaxAdvisoryBytes each and MaxOSVUncompressed bytes in all, so a zip
// bomb stops early.
//
// # Network
//
// Only https:// sources are fetched (plain http:// only on this computer's
// loopback address, for tests and local mirrors), and a redirect to
// anything else is refused, so the data cannot be swapped on the way. Each
// request has a timeout (DefaultTimeout; OSVTimeout for the large OSV
// zips) and says who is asking with the User-Agent "handwash/<version>".
// No credentials are involved.
//
// # Concurrency
//
// Two processes may update the same cache at once (two `handwash feeds
// update` runs, or replicas of the server sharing a folder). Every write
// goes to a temporary file with a unique name in the cache folder and is
// renamed into place, so a reader sees the old file or the new one, never
// half of one. Updating one feed also takes a lock file (kev.lock, made
// with O_CREATE|O_EXCL): a second updater of the same feed is told another
// update is running rather than downloading the same file twice and
// interleaving the data and metadata renames. The holder touches the lock
// every minute; a lock untouched for LockStale (a process that crashed) is
// taken over (two processes taking over the same dead lock at the same
// moment could both proceed; the renames still leave whole files). Readers
// take no lock: LoadKEV, LoadKEVIDs and LoadEOL hash the file as they
// decode it, check it against the SHA-256 in the metadata and read again
// if an update replaced both in between; OSVPath checks the size only (the
// zips are large), and Verify checks the hash on demand. A package index is
// renamed into place before its zip, and names the SHA-256 of the zip it
// was made from: one that is not the metadata's (or is missing or damaged)
// is made again under the feed's lock, and meanwhile the zip is read
// whole. On Windows a
// rename over a file another process has open can fail; the update then
// says so and the old file stays.
//
// # Ages
//
// A feed's age counts from when its source last confirmed it (the download,
// or a later 304). Nobody vouches that an imported file was current, so its
// age counts from the data's own date: the catalogue's release, the API's
// generation time, the newest OSV record. Older than StaleAfter (7 days),
// a feed is stale: a finding in itself.
package feeds
