/**
 * @module The ingest queue's consumer, shared by the ingest Worker and the tests. Messages run one
 * at a time (each may hold a document in memory); a transient failure is retried with backoff, and
 * a message that exhausts its retries reaches the dead-letter queue, whose consumer fails the file
 * (or, for a metadata extraction, only the extraction; for a source's sync, the sync).
 */
import type { Ports } from '../ports'
import { failFile } from './fail-file'
import { isExtractMetadataJob, isMoveIndexJob, isSyncSourceJob, type QueueJob } from './jobs'
import { moveIndexStep } from './move-index-job'
import { abandonSync, syncSourceStep } from '../sources/sync'
import { abandonExtraction, extractMetadata, queueMetadataExtraction } from './metadata-extraction-job'
import { ingest } from './pipeline'
import { armIngestWatch } from './watch'

const DEAD_LETTER_REASON =
  'Cairn could not process this file after several attempts (a temporary failure kept recurring). Upload it again; if it fails again, the file may be too large or complex to index.'

/** Backoff before the next attempt: 10 s, 20 s, 40 s … capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 10 * 2 ** (Math.max(1, attempts) - 1))
}

/** Every port: a message may ingest, perceive, embed, fail a file or extract metadata. */
export type ConsumerPorts = Ports

export async function consumeIngestBatch(batch: MessageBatch<QueueJob>, deps: ConsumerPorts): Promise<void> {
  if (batch.queue.endsWith('-dlq')) {
    for (const message of batch.messages) {
      const job = message.body
      if (isExtractMetadataJob(job)) await abandonExtraction(deps, job)
      else if (isSyncSourceJob(job)) await abandonSync(deps, job)
      // The claim stays, so writes keep reaching both layouts; asking for the move again resumes it.
      else if (isMoveIndexJob(job)) console.error(`moving the index of ${job.orgId}/${job.workspaceId} to ${job.shards} shards gave up; ask for the move again`)
      else await failFile(deps, job.fileId, DEAD_LETTER_REASON)
      message.ack()
    }
    return
  }
  // While messages flow the watch stays armed, so work they leave unfinished is found again.
  await armIngestWatch(deps)
  for (const message of batch.messages) {
    const job = message.body
    try {
      if (isExtractMetadataJob(job)) await extractMetadata(deps, job)
      else if (isSyncSourceJob(job)) await syncSourceStep(deps, job)
      else if (isMoveIndexJob(job)) await moveIndexStep(deps, job)
      else {
        await ingest(deps, job)
        // Whichever message completes the file queues the extraction its instructions asked for.
        await queueMetadataExtraction(deps, job.fileId)
      }
      message.ack()
    } catch (err) {
      const what = isExtractMetadataJob(job)
        ? `metadata extraction of ${job.fileId}`
        : isSyncSourceJob(job)
          ? `sync ${job.syncId} of source ${job.sourceId}`
          : isMoveIndexJob(job)
            ? `index move of ${job.orgId}/${job.workspaceId}`
            : `ingest part ${job.part ?? '-'} of ${job.fileId}`
      console.error(`${what} attempt ${message.attempts} failed`, err)
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) })
    }
  }
}
